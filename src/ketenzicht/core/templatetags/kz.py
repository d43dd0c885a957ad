"""Template helpers: NL Design System classes and accessible attributes on form widgets."""

from __future__ import annotations

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
