"""Forms of the case page. They check syntax; services check permission and state."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases.models import (
    CASE_STATE_CHOICES,
    ExploitationForm,
    SubjectRole,
    TriState,
    VulnerableGroup,
)
from ketenzicht.core.uploads import validate_upload


class QueueFilterForm(forms.Form):
    zoek = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=200,
        help_text=_("Kenmerk, adres, bedrijf of persoon (ten minste 2 tekens)."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    form = forms.ChoiceField(label=_("Vorm"), choices=[("", _("Alle vormen")), *ExploitationForm.choices], required=False)
    state = forms.ChoiceField(label=_("Status"), choices=[("", _("Alle statussen")), *CASE_STATE_CHOICES], required=False)
    minor = forms.ChoiceField(label=_("Minderjarige"), choices=[("", _("Alle")), *TriState.choices], required=False)
    age = forms.ChoiceField(
        label=_("Ontvangen"),
        choices=[("", _("Altijd")), ("7", _("Afgelopen 7 dagen")), ("30", _("Afgelopen 30 dagen")), ("90+", _("Meer dan 90 dagen geleden"))],
        required=False,
    )
    sorteer = forms.ChoiceField(
        label=_("Volgorde"),
        choices=[
            ("termijn", _("Eerst wat het eerst moet")),
            ("nieuwste", _("Nieuwste eerst")),
            ("oudste", _("Oudste eerst")),
            ("kenmerk", _("Op kenmerk")),
            ("status", _("Op status")),
        ],
        required=False,
    )

    def clean_zoek(self) -> str:
        term = (self.cleaned_data.get("zoek") or "").strip()
        if len(term) == 1:
            raise forms.ValidationError(_("Zoek op ten minste 2 tekens."))
        return term


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Naam van dit filter"), max_length=60, error_messages={"required": _("Geef het filter een naam.")})


class AssignForm(forms.Form):
    """Assign a case (or, on the queue, the ticked cases) to a colleague AF of the same municipality."""

    behandelaar = forms.TypedChoiceField(label=_("Toewijzen aan"), coerce=int, choices=(), error_messages={"required": _("Kies een collega."), "invalid_choice": _("Kies een collega uit de lijst.")})

    def __init__(self, *args: Any, colleagues: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["behandelaar"].choices = [("", _("Kies een collega")), *((u.pk, u.get_full_name() or u.email) for u in colleagues)]


class EnrichForm(forms.Form):
    location_address = forms.CharField(label=_("Adres"), required=False, max_length=200)
    company_name = forms.CharField(label=_("Bedrijfsnaam"), required=False, max_length=200)
    kvk_number = forms.RegexField(
        label=_("KvK-nummer"), regex=r"^\s*\d{8}\s*$", required=False, error_messages={"invalid": _("Een KvK-nummer heeft 8 cijfers.")}
    )
    address_details = forms.CharField(label=_("Adresgegevens (BAG/BRP)"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    earlier_sanctions = forms.CharField(label=_("Eerdere sancties"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    enrichment_notes = forms.CharField(label=_("Aantekeningen"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    # Only for merging a duplicate: the reference of the signal it goes into.
    merge_reference = forms.CharField(label=_("Kenmerk van het signaal waarin dit signaal opgaat"), required=False, max_length=20)
    # Only for a transfer: the municipality that takes the case over (the service checks it is on the platform).
    transfer_to = forms.ModelChoiceField(
        label=_("Aan gemeente"), queryset=Municipality.objects.all(), required=False,
        error_messages={"invalid_choice": _("Kies een gemeente uit de lijst.")},
    )


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Terugkoppeling aan de melder"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("De melder leest dit. Noem geen namen of details uit het dossier."),
    )
    impossible_reason = forms.CharField(
        label=_("Of: waarom terugkoppeling niet mogelijk is"),
        required=False,
        max_length=300,
        help_text=_("Bijvoorbeeld: anonieme melding zonder contactgegevens."),
    )


class SubjectForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=SubjectRole.choices)
    name = forms.CharField(label=_("Naam"), required=False, max_length=200)
    birth_date = forms.DateField(
        label=_("Geboortedatum"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een geldige datum in (dag, maand en jaar).")},
    )
    nationality = forms.CharField(label=_("Nationaliteit"), required=False, max_length=60)
    description = forms.CharField(label=_("Omschrijving"), required=False, max_length=500)
    kvk_number = forms.RegexField(
        label=_("KvK-nummer"), regex=r"^\s*\d{8}\s*$", required=False, error_messages={"invalid": _("Een KvK-nummer heeft 8 cijfers.")}
    )
    vulnerable_groups = forms.MultipleChoiceField(
        label=_("Kwetsbare groep"), choices=VulnerableGroup.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Alleen voor een persoon; alles wat van toepassing is."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in ("name", "description", "kvk_number")):
            raise forms.ValidationError(_("Vul een naam, omschrijving of KvK-nummer in."))
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Bestand"), validators=[validate_upload])


class ReclassifyForm(forms.Form):
    """Correct what intake recorded; a reason is required (it goes into the history)."""

    vormen = forms.MultipleChoiceField(
        label=_("Vormen van uitbuiting"),
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies ten minste één vorm (of Onbekend).")},
    )
    minor_involved = forms.ChoiceField(label=_("Minderjarige betrokken"), choices=TriState.choices, widget=forms.RadioSelect)
    acute_danger = forms.BooleanField(label=_("Acuut gevaar"), required=False)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Own ids: the case page holds the step form's reason field too.
        kwargs.setdefault("auto_id", "herclassificeren_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Reden van de wijziging"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Geef een reden voor de wijziging.")},
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Uw vraag aan de melder"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("De melder leest de vraag met de ontvangstcode en antwoordt daar. Noem geen namen of details uit het dossier."),
        error_messages={"required": _("Schrijf uw vraag aan de melder.")},
    )
