"""The privacy officer's filters on the audit trail: names and periods, never internal codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.audit import selectors
from ketenzicht.audit.models import AuditAction
from ketenzicht.core.forms import DatedForm

# Query-string keys, in the order the filters are shown; also what the audit trail records of a
# reading (which filters were used, never the values typed).
FILTER_KEYS = ("signaal", "persoon", "gebruiker", "organisatie", "handeling", "van", "tot")


class AuditFilterForm(DatedForm):
    signaal = forms.CharField(
        label=_("Kenmerk van het signaal"), max_length=20, required=False, help_text=_("Bijvoorbeeld KZ-2026-000042.")
    )
    persoon = forms.CharField(
        label=_("Naam van een betrokkene"), max_length=200, required=False,
        help_text=_("Alle inzage en wijzigingen van de signalen waarin deze persoon voorkomt."),
    )
    gebruiker = forms.CharField(
        label=_("Naam van de gebruiker"), max_length=150, required=False, help_text=_("Voornaam, achternaam of beide.")
    )
    organisatie = forms.ModelChoiceField(label=_("Organisatie"), queryset=None, required=False, empty_label=_("Alle organisaties"))
    handeling = forms.ChoiceField(label=_("Soort handeling"), required=False)
    van = forms.DateField(label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    tot = forms.DateField(label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, officer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer
        self.fields["organisatie"].queryset = selectors.audit_organisations(officer)
        self.fields["handeling"].choices = [("", _("Alle handelingen")), *AuditAction.choices]
        self._actor_ids: list[int] = []
        self._subjects: tuple[list[int], list[str]] = ([], [])

    def clean_signaal(self) -> str:
        return self.cleaned_data["signaal"].strip().upper()

    def _name(self, key: str) -> str:
        value = " ".join(self.cleaned_data[key].split())
        if value and len(value.replace(" ", "")) < 2:
            raise forms.ValidationError(_("Typ ten minste twee letters van de naam."))
        return value

    def clean_gebruiker(self) -> str:
        name = self._name("gebruiker")
        if name:
            self._actor_ids = selectors.audit_users_named(self.officer, name)
            if not self._actor_ids:
                raise forms.ValidationError(
                    _("Er is geen gebruiker met deze naam in uw werkgebied. Controleer de spelling of typ een deel van de naam.")
                )
        return name

    def clean_persoon(self) -> str:
        name = self._name("persoon")
        if name:
            self._subjects = selectors.audit_subjects_named(self.officer, name)
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("van"), data.get("tot")
        if start and end and end < start:
            self.add_error("tot", _("De einddatum ligt vóór de begindatum. Kies een einddatum op of na de begindatum."))
        return data

    def used(self) -> list[str]:
        """The filters that were filled in (keys, never the values)."""
        return [key for key in FILTER_KEYS if self.cleaned_data.get(key) not in (None, "")]

    def to_filter(self) -> selectors.AuditFilter:
        data = self.cleaned_data
        organisation = data.get("organisatie")
        return selectors.AuditFilter(
            reference=data.get("signaal", ""),
            subject_ids=tuple(self._subjects[0]),
            subject_references=tuple(self._subjects[1]),
            actor_ids=tuple(self._actor_ids),
            organisation_id=organisation.pk if organisation else None,
            action=data.get("handeling", ""),
            start=data.get("van"),
            end=data.get("tot"),
            by_person=bool(data.get("persoon")),
            by_actor=bool(data.get("gebruiker")),
            used=tuple(self.used()),
        )
