"""Template helpers: NL Design System classes and accessible attributes on form widgets."""

from __future__ import annotations

import re

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_CLASSES = {
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "select": "utrecht-select utrecht-select--html-select",
    "file": "utrecht-textbox utrecht-textbox--html-input kz-file",
}


@register.simple_tag
def kz_widget(field: BoundField) -> SafeString:
    widget = field.field.widget
    kind = getattr(widget, "input_type", None) or ("textarea" if widget.__class__.__name__ == "Textarea" else "select")
    attrs = {"class": _CLASSES.get(kind, "utrecht-textbox utrecht-textbox--html-input")}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
        attrs["class"] += " utrecht-textbox--invalid"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required:
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key)


@register.filter
def organisation_kind(code: str) -> str:
    """The Dutch name of a kind of organisation ("kmar" → "Koninklijke Marechaussee"), never the code."""
    from ketenzicht.accounts.models import OrganisationKind

    try:
        return str(OrganisationKind(code).label)
    except ValueError:
        return code


_SOURCE_REFERENCE = re.compile(
    r"\s*[(\[](?:seed\s+)?\d{3}(?:\s*(?:§|bijlage|pijler|opgave|p\.)[^()\[\]]*)?(?:[;,]\s*\d{3}[^()\[\]]*)*[)\]]"
    r"|[;,]?\s*\bseeds?\b\s+\d{3}(?:\s*\([^)]*\))?(?:\s*(?:§|bijlage|pijler|opgave)\s*[\w.]+)*(?:,\s*\d{3}(?:\s*§\s*[\w.]+)*)*",
    re.IGNORECASE,
)


_NOT_FROM_SOURCES = re.compile(r"\s*\((?:niet )?(?:uit|in) de seeds?\)|,?\s*niet (?:uit|in) de seeds?", re.IGNORECASE)


@register.filter
def without_sources(text: str) -> str:
    """Text from the shipped data files without references to their source documents.

    The data files cite where a rule comes from ("(seed 001 bijlage 1)", "(000 §5.5; 001 §6.3.1.3)")
    for whoever maintains them; a reader of the page is not shown them (issue 16 item 7).
    """
    if not text:
        return text
    cleaned = _NOT_FROM_SOURCES.sub("", _SOURCE_REFERENCE.sub("", str(text)))
    return re.sub(r"\s+([.,;:])", r"\1", cleaned).strip()


@register.filter
def partner_name(key: str, partners: list[dict]) -> str:
    """The organisation's name for a partner key of a routekaart file (never the key itself)."""
    for partner in partners or []:
        if partner.get("id") == key:
            return str(partner.get("organisatie") or key)
    return key


@register.filter
def iso_date(value: object) -> object:
    """A date from a data file (a date, or text in ISO form) in the one Dutch format."""
    from datetime import date

    from django.utils.formats import date_format

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "DATE_FORMAT") if isinstance(value, date) else value
