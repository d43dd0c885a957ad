"""Input and output shapes of the signalen API (camelCase keys, per the Dutch API design rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ketenzicht.cases.models import ExploitationForm, SubjectRole, TriState, VulnerableGroup
from ketenzicht.domain.case_states import Action
from ketenzicht.domain.lifecycles.case import PUBLIC_STATUS, CaseState


def not_in_future(value: date | None) -> None:
    """A date something was seen (or someone was born) cannot lie ahead (Dutch calendar day)."""
    if value is not None and value > timezone.localdate():
        raise serializers.ValidationError(_("Deze datum ligt in de toekomst."), code="datum-in-toekomst")


class SignalListOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kenmerk = serializers.CharField(source="reference")
    gemeenteCode = serializers.CharField(source="municipality.cbs_code")
    kanaal = serializers.CharField(source="channel")
    status = serializers.CharField(source="state")
    ontvangenOp = serializers.DateTimeField(source="created_at")
    uitbuitingsvormen = serializers.ListField(source="forms", child=serializers.CharField())
    minderjarig = serializers.CharField(source="minor_involved")
    eersteBeoordelingUiterlijk = serializers.DateField(source="first_assessment_due", allow_null=True)


class SubjectOutput(serializers.Serializer):
    rol = serializers.CharField(source="role")
    naam = serializers.CharField(source="name")
    geboortedatum = serializers.DateField(source="birth_date", allow_null=True)
    nationaliteit = serializers.CharField(source="nationality")
    omschrijving = serializers.CharField(source="description")
    kvkNummer = serializers.CharField(source="kvk_number")
    kwetsbareGroepen = serializers.ListField(source="vulnerable_groups", child=serializers.CharField())


class SignalDetailOutput(SignalListOutput):
    omschrijving = serializers.CharField(source="description")
    waargenomenOp = serializers.DateField(source="observed_on", allow_null=True)
    adres = serializers.CharField(source="location_address")
    acuutGevaar = serializers.BooleanField(source="acute_danger")
    betrokkenen = SubjectOutput(source="subjects", many=True)
    volgendeStappen = serializers.SerializerMethodField()

    def get_volgendeStappen(self, obj: object) -> list[str]:  # noqa: N802 - API key
        return self.context.get("next_steps", [])


class SignalOwnOutput(serializers.Serializer):
    """What the submitting partner system reads of its own signal: progress and the feedback meant for it.

    Nothing of the case file itself: the status is the reporter's three steps (ontvangen, in
    behandeling, afgerond), as on "Mijn meldingen" and the public status page.
    """

    id = serializers.UUIDField()
    kenmerk = serializers.CharField(source="reference")
    gemeenteCode = serializers.CharField(source="municipality.cbs_code")
    ontvangenOp = serializers.DateTimeField(source="created_at")
    status = serializers.SerializerMethodField(help_text="ontvangen | in_behandeling | afgerond")
    terugkoppeling = serializers.SerializerMethodField(help_text="De terugkoppeling aan de melder, of null")
    terugkoppelingOp = serializers.SerializerMethodField()

    def _followed(self, obj: Any) -> Any:
        return self.context.get("followed", obj)

    def get_status(self, obj: Any) -> str:
        return PUBLIC_STATUS[CaseState(self._followed(obj).state)]

    def get_terugkoppeling(self, obj: Any) -> str | None:
        case = self._followed(obj)
        return case.feedback_message if case.feedback_at else None

    def get_terugkoppelingOp(self, obj: Any) -> Any:  # noqa: N802 - API key
        case = self._followed(obj)
        return case.feedback_at.isoformat() if case.feedback_at else None


class SubjectInputSerializer(serializers.Serializer):
    rol = serializers.ChoiceField(choices=SubjectRole.choices)
    naam = serializers.CharField(required=False, allow_blank=True, max_length=200)
    geboortedatum = serializers.DateField(required=False, allow_null=True, validators=[not_in_future])
    nationaliteit = serializers.CharField(required=False, allow_blank=True, max_length=60)
    omschrijving = serializers.CharField(required=False, allow_blank=True, max_length=500)
    kvkNummer = serializers.RegexField(r"^\d{8}$", required=False, allow_blank=True)
    kwetsbareGroepen = serializers.ListField(
        child=serializers.ChoiceField(choices=VulnerableGroup.choices), required=False, max_length=len(VulnerableGroup.choices),
        help_text="Kwetsbare groepen waartoe deze persoon behoort (niet voor een bedrijf)",
    )


class SignalCreateInput(serializers.Serializer):
    gemeenteCode = serializers.RegexField(r"^GM\d{4}$", help_text="CBS-code, bijv. GM0638 (Zoeterwoude)")
    omschrijving = serializers.CharField(max_length=5000)
    waargenomenOp = serializers.DateField(required=False, allow_null=True, validators=[not_in_future], help_text="Niet in de toekomst.")
    adres = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plaatsomschrijving = serializers.CharField(required=False, allow_blank=True, max_length=300)
    uitbuitingsvormen = serializers.ListField(child=serializers.ChoiceField(choices=ExploitationForm.choices), required=False)
    minderjarig = serializers.ChoiceField(choices=TriState.choices, required=False, default=TriState.ONBEKEND)
    acuutGevaar = serializers.BooleanField(required=False, default=False)
    betrokkenen = SubjectInputSerializer(many=True, required=False)


class TransitionInput(serializers.Serializer):
    stap = serializers.ChoiceField(choices=[a.value for a in Action])
    toelichting = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MunicipalityOutput(serializers.Serializer):
    code = serializers.CharField(source="cbs_code")
    naam = serializers.CharField(source="name")
    politieEenheid = serializers.CharField(source="police_unit")
    veiligheidsregio = serializers.CharField(source="veiligheidsregio_name")
    aangesloten = serializers.BooleanField(source="on_platform")
