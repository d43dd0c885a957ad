from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.notifications.models import ALWAYS_DIRECT, Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification; security mails are not a choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            if kind in ALWAYS_DIRECT:
                continue
            help_text = _("Bij acuut gevaar of een minderjarige krijgt u altijd direct een e-mail.") if kind == Kind.NIEUW_SIGNAAL else ""
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect, help_text=help_text
            )
