"""Forms of the case page. They check syntax; services check permission and state."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.cases.models import CASE_STATE_CHOICES, ExploitationForm, SubjectRole, TriState
from ketenzicht.core.uploads import validate_upload


class QueueFilterForm(forms.Form):
    form = forms.ChoiceField(label=_("Vorm"), choices=[("", _("Alle vormen")), *ExploitationForm.choices], required=False)
    state = forms.ChoiceField(label=_("Status"), choices=[("", _("Alle statussen")), *CASE_STATE_CHOICES], required=False)
    minor = forms.ChoiceField(label=_("Minderjarige"), choices=[("", _("Alle")), *TriState.choices], required=False)
    age = forms.ChoiceField(
        label=_("Ontvangen"),
        choices=[("", _("Altijd")), ("7", _("Afgelopen 7 dagen")), ("30", _("Afgelopen 30 dagen")), ("90+", _("Meer dan 90 dagen geleden"))],
        required=False,
    )


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
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 1990-05-31.")},
    )
    nationality = forms.CharField(label=_("Nationaliteit"), required=False, max_length=60)
    description = forms.CharField(label=_("Omschrijving"), required=False, max_length=500)
    kvk_number = forms.RegexField(
        label=_("KvK-nummer"), regex=r"^\s*\d{8}\s*$", required=False, error_messages={"invalid": _("Een KvK-nummer heeft 8 cijfers.")}
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in ("name", "description", "kvk_number")):
            raise forms.ValidationError(_("Vul een naam, omschrijving of KvK-nummer in."))
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Bestand"), validators=[validate_upload])
