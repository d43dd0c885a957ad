"""Forms for the action programme, training and reports. They check syntax and read dates and
periods through the domain, so a typo in 'wanneer' is caught here with the same message as in
an import; services check permission and consistency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ketenzicht.accounts.models import Organisation, User
from ketenzicht.core.forms import DatedForm
from ketenzicht.domain import programme as rules
from ketenzicht.programme.models import Function, GoalKind, Priority, RagStatus, TrainingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    area = forms.ChoiceField(label=_("Voor"), help_text=_("De gemeente, het district of de regio van dit programma."))
    first_year = forms.IntegerField(label=_("Van jaar"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Tot en met jaar"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, areas: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("first_year") and data.get("last_year") and data["last_year"] < data["first_year"]:
            self.add_error("last_year", _("Het laatste jaar ligt vóór het eerste jaar."))
        return data


class WhenField(forms.CharField):
    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            rules.parse_when(value)
        except rules.ProgrammeInputError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class ActionForm(forms.Form):
    number = forms.CharField(label=_("Nummer"), required=False, max_length=20, help_text=_("Optioneel, bijvoorbeeld 1.3."))
    pillar = forms.CharField(label=_("Pijler"), required=False, max_length=200)
    goal = forms.CharField(label=pgettext_lazy("programmadoel", "Doel"), required=False, max_length=500)
    goal_kind = forms.ChoiceField(label=_("Soort doel"), choices=GoalKind.choices, initial=GoalKind.OPERATIONEEL, required=False)
    what = forms.CharField(label=_("Wat"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    owner_organisation = forms.ModelChoiceField(label=_("Wie: organisatie"), queryset=Organisation.objects.none(), required=False)
    owner_text = forms.CharField(
        label=_("Wie: rol of team"), required=False, max_length=200,
        help_text=_("Bijvoorbeeld 'aandachtsfunctionaris' of 'team handhaving'. Geen persoonsnaam: die komt in rapportages niet terecht."),
    )
    owner_user = forms.ModelChoiceField(
        label=_("Verantwoordelijke in Ketenzicht"), queryset=User.objects.none(), required=False,
        help_text=_("Deze persoon mag de status bijwerken. Niet zichtbaar in rapportages."),
    )
    when_text = WhenField(
        label=_("Wanneer"), max_length=100,
        help_text=_("Een datum, kwartaal (Q3 2026), jaar, 'Doorlopend' of een herhaling ('Jaarlijks, Q2 en Q4')."),
    )

    def __init__(self, *args: Any, region_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.all()
        users = User.objects.filter(is_active=True, roles__isnull=False).exclude(roles__role="partnersysteem")
        if region_id is not None:
            orgs = orgs.filter(region_id=region_id)
            users = users.filter(organisation__region_id=region_id)
        self.fields["owner_organisation"].queryset = orgs.order_by("name")
        self.fields["owner_user"].queryset = users.distinct().order_by("first_name", "last_name")
        self.fields["owner_user"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.organisation})"


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Niet wijzigen")), *RagStatus.choices],
    )
    note = forms.CharField(
        label=_("Voortgang"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("Wat is er gedaan, wat is de volgende stap? Verplicht bij oranje en rood."),
    )


class CompleteForm(DatedForm):
    done_on = forms.DateField(label=_("Afgerond op"), widget=DATE)
    note = forms.CharField(label=_("Toelichting"), required=False, max_length=500)

    def clean_done_on(self) -> date:
        value = self.cleaned_data["done_on"]
        if value > self.today:
            raise forms.ValidationError(_("Deze datum ligt in de toekomst."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Actietabel (CSV of XLSX)"),
        help_text=_("Kolommen: nr, pijler, doel, actie, wie, wanneer, status, toelichting. 'actie' en 'wanneer' zijn verplicht."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


class TrainingForm(DatedForm):
    municipality = forms.ChoiceField(label=_("Gemeente"))
    kind = forms.ChoiceField(label=_("Soort"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    provider = forms.CharField(label=_("Aanbieder"), required=False, max_length=150)
    held_on = forms.DateField(label=_("Datum"), widget=DATE)

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipalities
        for code, label in Function.choices:
            self.fields[f"n_{code}"] = forms.IntegerField(
                label=str(label), required=False, min_value=0, max_value=10_000,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"min_value": _("Een aantal is 0 of meer."), "invalid": _("Vul een heel getal in.")},
            )

    def attendance_fields(self) -> list[Any]:
        return [self[f"n_{code}"] for code, _label in Function.choices]

    def attendance(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(f"n_{code}") or 0 for code, _label in Function.choices}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(self.attendance().values()):
            raise forms.ValidationError(_("Vul bij ten minste één functie het aantal deelnemers in."))
        if data.get("held_on") and data["held_on"] > self.today:
            self.add_error("held_on", _("Registreer een training nadat hij is gegeven; deze datum ligt in de toekomst."))
        return data


class TargetGroupForm(forms.Form):
    function = forms.ChoiceField(label=_("Functie"), choices=Function.choices)
    department = forms.CharField(label=_("Afdeling"), required=False, max_length=150)
    headcount = forms.IntegerField(label=_("Aantal medewerkers"), required=False, min_value=1)
    yearly_target = forms.IntegerField(label=_("Jaarlijks te trainen"), required=False, min_value=1,
                                       help_text=_("Leeg: ten minste één medewerker per jaar."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("headcount") and data.get("yearly_target") and data["yearly_target"] > data["headcount"]:
            self.add_error("yearly_target", _("Meer dan het aantal medewerkers kan niet."))
        return data


class NeedForm(forms.Form):
    department = forms.CharField(label=_("Afdeling"), max_length=150)
    function = forms.ChoiceField(label=_("Functie"), choices=Function.choices)
    staff_to_train = forms.IntegerField(label=_("Aantal te trainen"), min_value=1)
    need = forms.CharField(label=_("Behoefte"), max_length=500, help_text=_("Welke kennis of vaardigheid ontbreekt?"))
    priority = forms.ChoiceField(label=_("Prioriteit"), choices=Priority.choices, initial=Priority.MIDDEN)


class ReportForm(DatedForm):
    area = forms.ChoiceField(label=_("Voor"))
    period = forms.CharField(label=_("Periode"), max_length=10, help_text=_("2026H1 of 2026H2 voor een halfjaar, 2026 voor het jaarverslag."))

    def __init__(self, *args: Any, areas: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas

    def clean_period(self) -> rules.ReportPeriod:
        try:
            period = rules.ReportPeriod.parse(self.cleaned_data["period"])
        except rules.ProgrammeInputError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if period.start > self.today:
            raise forms.ValidationError(_("Deze periode is nog niet begonnen."))
        return period
