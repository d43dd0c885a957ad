"""Input and output shapes of the signalen API (camelCase keys, per the Dutch API design rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ketenzicht.cases.models import ExploitationForm, SubjectRole, TriState
from ketenzicht.domain.case_states import Action


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


class SignalDetailOutput(SignalListOutput):
    omschrijving = serializers.CharField(source="description")
    waargenomenOp = serializers.DateField(source="observed_on", allow_null=True)
    adres = serializers.CharField(source="location_address")
    acuutGevaar = serializers.BooleanField(source="acute_danger")
    betrokkenen = SubjectOutput(source="subjects", many=True)
    volgendeStappen = serializers.SerializerMethodField()

    def get_volgendeStappen(self, obj: object) -> list[str]:  # noqa: N802 - API key
        return self.context.get("next_steps", [])


class SubjectInputSerializer(serializers.Serializer):
    rol = serializers.ChoiceField(choices=SubjectRole.choices)
    naam = serializers.CharField(required=False, allow_blank=True, max_length=200)
    geboortedatum = serializers.DateField(required=False, allow_null=True, validators=[not_in_future])
    nationaliteit = serializers.CharField(required=False, allow_blank=True, max_length=60)
    omschrijving = serializers.CharField(required=False, allow_blank=True, max_length=500)
    kvkNummer = serializers.RegexField(r"^\d{8}$", required=False, allow_blank=True)


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
    regio = serializers.SerializerMethodField(help_text="Slug van de geladen regio, of null: buiten Ketenzicht")
    ontvangtSignalen = serializers.SerializerMethodField(  # noqa: N815 - API key
        help_text="Of Ketenzicht signalen voor deze gemeente aanneemt (de gemeente ligt in een geladen regio)"
    )
    heeftAandachtsfunctionaris = serializers.SerializerMethodField(  # noqa: N815 - API key
        help_text="Of een aandachtsfunctionaris de signalen behandelt; zo niet, dan de regionale wachtrij"
    )

    def get_regio(self, municipality: Any) -> str | None:
        return municipality.region.slug if municipality.region_id is not None else None

    def get_ontvangtSignalen(self, municipality: Any) -> bool:  # noqa: N802 - API key
        return municipality.region_id is not None

    def get_heeftAandachtsfunctionaris(self, municipality: Any) -> bool:  # noqa: N802 - API key
        return municipality.pk in self.context.get("with_af", ())
