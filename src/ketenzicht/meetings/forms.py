"""Forms of the meeting pages. They check syntax and keep what was typed; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Municipality, Organisation, Role, User
from ketenzicht.core.forms import DatedForm
from ketenzicht.meetings.models import Frequency, MeetingKind, Venue, Weekday

DATE_ERRORS = {"invalid": _("Vul een geldige datum in (dag, maand en jaar).")}


def participant_organisations(municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations that may sit at a table of this municipality: its own and the region's partners."""
    return Organisation.objects.filter(
        Q(municipality=municipality) | (Q(region_id=municipality.region_id) & ~Q(kind="gemeente"))
    ).order_by("name")


def participant_users(municipality: Municipality) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, organisation__in=participant_organisations(municipality))
        .filter(roles__role__in=[Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS])
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name")
    )


class _PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.organisation.name if obj.organisation else '—'})"


class MeetingForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Soort overleg"), queryset=MeetingKind.objects.all(), empty_label=_("Kies een soort"))
    name = forms.CharField(label=_("Naam"), max_length=150, help_text=_("Bijvoorbeeld: Signalenoverleg Zoeterwoude."))
    interval_weeks = forms.TypedChoiceField(label=_("Hoe vaak"), choices=Frequency.choices, coerce=int)
    weekday = forms.TypedChoiceField(label=_("Op welke dag"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("Aanvang"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages={"invalid": _("Vul een tijd in, bijvoorbeeld 10:00.")})
    first_date = forms.DateField(label=_("Vanaf"), widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_ERRORS)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies ten minste één deelnemende organisatie.")},
    )
    members = _PersonChoice(
        label=_("Deelnemers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Alleen mensen met de rol overlegdeelnemer van een deelnemende organisatie."),
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds above the municipality are convened by the ketenregisseur (RegionalMeetingForm).
        self.fields["kind"].queryset = MeetingKind.objects.exclude(venue=Venue.REGIONALE_TAFEL)
        self.fields["organisations"].queryset = participant_organisations(municipality)
        self.fields["members"].queryset = participant_users(municipality)


OUTSIDE_SCOPE = _("Deze keuze hoort niet bij uw regio of district; kies uit de lijst.")


def regional_organisations(region_id: int, district_id: int | None) -> QuerySet[Organisation]:
    """Organisations within a regional table's scope: the region's partners and, for a district
    table, only the municipalities (and district organisations) of that district."""
    in_region = Q(region_id=region_id) | Q(municipality__region_id=region_id)
    if district_id is not None:
        in_region &= ~Q(municipality__isnull=False) | Q(municipality__district_id=district_id)
        in_region &= ~Q(district_id__isnull=False) | Q(district_id=district_id)
    return Organisation.objects.filter(in_region).order_by("name")


class RegionalMeetingForm(forms.Form):
    """A table above the municipality; its region and district are the convener's own."""

    kind = forms.ModelChoiceField(label=_("Soort tafel"), queryset=MeetingKind.objects.none(), empty_label=_("Kies een soort"))
    name = forms.CharField(label=_("Naam"), max_length=150, help_text=_("Bijvoorbeeld: Regionale tafel mensenhandel Leiden-Bollenstreek."))
    interval_weeks = forms.TypedChoiceField(label=_("Hoe vaak"), choices=Frequency.choices, coerce=int)
    weekday = forms.TypedChoiceField(label=_("Op welke dag"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("Aanvang"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages={"invalid": _("Vul een tijd in, bijvoorbeeld 10:00.")})
    # ISO in the value: a date input shows nothing for a localised "8-1-2026".
    first_date = forms.DateField(label=_("Vanaf"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), error_messages=DATE_ERRORS)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies ten minste één deelnemende organisatie."), "invalid_choice": OUTSIDE_SCOPE, "invalid_pk_value": OUTSIDE_SCOPE},
    )
    members = _PersonChoice(
        label=_("Deelnemers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Overlegdeelnemers en aandachtsfunctionarissen van de deelnemende organisaties, binnen uw regio."),
        error_messages={"invalid_choice": OUTSIDE_SCOPE, "invalid_pk_value": OUTSIDE_SCOPE},
    )

    def __init__(self, *args: Any, region_id: int, district_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = regional_organisations(region_id, district_id)
        self.fields["kind"].queryset = MeetingKind.objects.filter(venue=Venue.REGIONALE_TAFEL)
        self.fields["organisations"].queryset = organisations
        self.fields["members"].queryset = (
            User.objects.filter(is_active=True, organisation__in=organisations)
            .filter(roles__role__in=[Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS])
            .select_related("organisation").distinct().order_by("last_name", "first_name")
        )


class BringCaseForm(forms.Form):
    case = forms.ChoiceField(label=_("Signaal"), error_messages={"required": _("Kies het signaal dat u wilt agenderen."), "invalid_choice": _("Kies een signaal van uw gemeente dat in behandeling is.")})
    reason = forms.CharField(
        label=_("Waarom op deze tafel"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"required": _("Schrijf waarom dit signaal op deze tafel hoort.")},
        help_text=_("Bijvoorbeeld: dezelfde werkgever ook actief in buurgemeenten."),
    )

    def __init__(self, *args: Any, cases: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("Kies een signaal"))] + [
            (str(c.pk), f"{c.reference} ({c.created_at:%d-%m-%Y})") for c in cases
        ]


class ThemeForm(forms.Form):
    theme = forms.CharField(
        label=_("Thema"), max_length=200, error_messages={"required": _("Beschrijf het thema.")},
        help_text=_("Bijvoorbeeld: witte vlek in het barrièremodel, een indicator in het rood of een actie uit het actieprogramma. Geen namen van personen."),
    )
    reference = forms.CharField(label=_("Verwijzing (optioneel)"), max_length=300, required=False, help_text=_("Een kenmerk of een link naar het stuk."))


class DecisionForm(DatedForm):
    outcome = forms.ChoiceField(label=_("Uitkomst"), widget=forms.RadioSelect, error_messages={"required": _("Kies een uitkomst.")})
    rationale = forms.CharField(
        label=_("Onderbouwing"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        error_messages={"required": _("Schrijf waarom het overleg zo besluit.")},
    )
    info_needed = forms.CharField(label=_("Welke informatie is nodig"), required=False, max_length=300, help_text=_("Alleen bij ‘meer informatie nodig’."))
    info_from = forms.CharField(label=_("Van wie"), required=False, max_length=200, help_text=_("Bijvoorbeeld: wijkhandhaver, wijkagent."))
    action_description = forms.CharField(label=_("Actiepunt"), required=False, max_length=300)
    action_organisation = forms.ModelChoiceField(label=_("Actiepunt voor organisatie"), queryset=Organisation.objects.none(), required=False, empty_label=_("Geen actiepunt"))
    action_owner = forms.ModelChoiceField(label=_("Actiepunt voor persoon"), queryset=User.objects.none(), required=False, empty_label=_("Geen persoon (de organisatie)"))
    action_due = forms.DateField(
        label=_("Actiepunt uiterlijk"), required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_ERRORS,
        help_text=_("Leeg laten: de norm van de regio."),
    )

    def __init__(self, *args: Any, options: list[tuple[str, str]], meeting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = options
        self.fields["action_organisation"].queryset = meeting.organisations.order_by("name")
        self.fields["action_owner"].queryset = meeting.members.order_by("last_name")
        self.fields["action_owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") == "so_meer_informatie":
            if not data.get("info_needed"):
                self.add_error("info_needed", _("Geef aan welke informatie nodig is."))
            if not data.get("info_from"):
                self.add_error("info_from", _("Geef aan van wie de informatie moet komen."))
        if data.get("action_description") and not data.get("action_organisation"):
            self.add_error("action_organisation", _("Kies de organisatie die het actiepunt uitvoert."))
        if data.get("action_organisation") and not data.get("action_description"):
            self.add_error("action_description", _("Beschrijf het actiepunt, of kies ‘Geen actiepunt’."))
        due = data.get("action_due")
        if due and due < self.today:
            self.add_error("action_due", _("Kies een datum vandaag of later."))
        return data


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("Correctie op de notulen"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, error_messages={"required": _("Schrijf de correctie.")})


class PeriodForm(forms.Form):
    van = forms.DateField(label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_ERRORS)
    tot = forms.DateField(label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_ERRORS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            self.add_error("tot", _("Kies een einddatum na de begindatum."))
        return data
