"""Feedback templates on the AF's case page: stock texts per outcome, in the reporter's language.

The choice is a plain GET form (`?sjabloon=<key>`) that re-renders the case page with the text
prefilled in the existing feedback form; recording still goes through
`cases.services.case_record_feedback`, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django import template
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import get_language

register = template.Library()

TEMPLATES_FILE = Path(__file__).resolve().parents[2] / "data" / "feedback_templates.yaml"


@dataclass(frozen=True)
class FeedbackTemplate:
    key: str
    labels: dict[str, str]
    texts: dict[str, str]

    def label(self) -> str:
        return self.labels.get(get_language() or "nl") or self.labels["nl"]

    def text_for(self, language: str) -> tuple[str, str]:
        """(text, language used): the reporter's language where a translation exists, else Dutch."""
        if language in self.texts:
            return self.texts[language], language
        return self.texts["nl"], "nl"


@lru_cache(maxsize=1)
def feedback_templates() -> tuple[FeedbackTemplate, ...]:
    data = yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8"))
    return tuple(
        FeedbackTemplate(key=entry["sleutel"], labels=dict(entry["label"]), texts=dict(entry["tekst"]))
        for entry in data["sjablonen"]
    )


def feedback_template(key: str) -> FeedbackTemplate | None:
    return next((t for t in feedback_templates() if t.key == key), None)


@register.simple_tag
def feedback_template_choices() -> tuple[FeedbackTemplate, ...]:
    return feedback_templates()


@register.simple_tag
def feedback_form_for(case: Any, form: Form, request: HttpRequest) -> Form:
    """The feedback form, prefilled with the chosen stock text when the AF picked one."""
    chosen = feedback_template(request.GET.get("sjabloon", "")) if request is not None else None
    if chosen is None or form.is_bound:
        return form
    text, _language = chosen.text_for(case.reporter_language or "nl")
    # The case page's own feedback form, prefilled (its class comes with it: no import of cases).
    return type(form)(initial={"message": text, "impossible_reason": ""})
