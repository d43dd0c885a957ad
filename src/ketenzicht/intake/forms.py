"""The internal meldroute form: a colleague reports a signal in under two minutes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases.models import ExploitationForm, TriState
from ketenzicht.core.forms import DatedForm
from ketenzicht.core.uploads import validate_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        errors: list[ValidationError] = []
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return list(files)


def not_future(value: date | None, today: date) -> date | None:
    """A day something was seen lies today or before (`today`: the view's, from its `now`)."""
    if value is not None and value > today:
        raise ValidationError(_("Deze datum ligt in de toekomst. Vul de dag in waarop u het zag."), code="future")
    return value


class ReportForm(DatedForm):
    description = forms.CharField(
        label=_("Wat heeft u gezien?"),
        help_text=_("Beschrijf zo feitelijk mogelijk wat u zag of hoorde."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Beschrijf wat u heeft gezien.")},
    )
    observed_on = forms.DateField(
        label=_("Wanneer zag u het?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 2026-03-14.")},
    )
    municipality = forms.ModelChoiceField(
        label=_("In welke gemeente?"),
        # Every municipality of the reporter's region (narrowed in __init__): one without an AF
        # sends the signal to the region's queue, never into nothing.
        queryset=Municipality.objects.all(),
        error_messages={"invalid_choice": _("Kies een gemeente uit de lijst.")},
    )
    location_address = forms.CharField(
        label=_("Adres"),
        help_text=_("Straat, huisnummer en zo mogelijk postcode."),
        required=False,
        max_length=200,
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Welke vorm van uitbuiting vermoedt u?"),
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Meerdere antwoorden mogelijk. Weet u het niet, kies dan 'Onbekend'."),
    )
    minor_involved = forms.ChoiceField(
        label=_("Is er een minderjarige betrokken?"),
        choices=TriState.choices,
        initial=TriState.ONBEKEND,
        widget=forms.RadioSelect,
    )
    acute_danger = forms.BooleanField(
        label=_("Is iemand nu in acuut gevaar?"),
        required=False,
        help_text=_("Bel dan direct 112. Uw melding wordt daarnaast gewoon opgeslagen."),
    )
    victims = forms.CharField(
        label=_("Mogelijke slachtoffers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Naam of omschrijving, zoveel als u weet."),
    )
    perpetrators = forms.CharField(
        label=_("Mogelijke daders"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    company_name = forms.CharField(label=_("Betrokken bedrijf"), required=False, max_length=200)
    kvk_number = forms.RegexField(
        label=_("KvK-nummer"),
        regex=r"^\s*\d{8}\s*$",
        required=False,
        error_messages={"invalid": _("Een KvK-nummer heeft 8 cijfers.")},
    )
    attachments = MultipleFileField(
        label=_("Foto's of documenten"),
        required=False,
        help_text=_("Foto (JPG, PNG, WEBP, HEIC) of PDF, maximaal 10 MB per bestand."),
    )
    intake_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, region_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The internal route stays within the reporter's own region (policy: case.report).
        field = self.fields["municipality"]
        field.queryset = field.queryset.filter(region_id=region_id) if region_id is not None else field.queryset.none()  # type: ignore[attr-defined]
        if not self.is_bound:
            # One key per rendered form: a double submit sends the same key twice.
            self.initial.setdefault("intake_key", uuid.uuid4().hex)

    def clean_observed_on(self) -> date | None:
        return not_future(self.cleaned_data.get("observed_on"), self.today)
