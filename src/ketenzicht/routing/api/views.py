"""POST /api/v1/routekaart/advies: the routekaart engine behind the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketenzicht.core.api import problem
from ketenzicht.routing.advice import AdviceRequestError, advice_json


class AdviesInput(serializers.Serializer):
    regio = serializers.CharField(help_text="Slug van de politie-eenheid, bv. 'den-haag'.")
    antwoorden = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "Sleutels: route (slachtoffer|locatie), acuutGevaar, uitbuitingsvormen (lijst van seksueel, "
            "arbeid, crimineel, orgaan, onbekend), wilPolitieSpreken, wilHulp, ernstigeZorgenGeenGrip, "
            "minderjarig, meldcodeProfessional (true/false)."
        ),
    )


class AdviesItemOutput(serializers.Serializer):
    soort = serializers.CharField()
    organisatie = serializers.CharField()
    telefoon = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    reden = serializers.CharField()


class PadStapOutput(serializers.Serializer):
    knoop = serializers.CharField()
    antwoord = serializers.CharField()


class OpenVraagOutput(serializers.Serializer):
    sleutel = serializers.CharField(help_text="De antwoordsleutel die deze vraag beantwoordt.")
    vraag = serializers.CharField()
    toelichting = serializers.CharField(allow_blank=True)
    opties = serializers.ListField(
        child=serializers.JSONField(), help_text="Toegestane waarden van het antwoord (true/false bij ja/nee-vragen); bij meerkeuze een lijst daarvan."
    )
    meerkeuze = serializers.BooleanField()


class AdviesOutput(serializers.Serializer):
    regio = serializers.CharField()
    versie = serializers.CharField()
    advies = AdviesItemOutput(
        many=True,
        help_text="Het advies dat al vaststaat, hoe de open vragen ook worden beantwoord; 112 voorop zodra acuut gevaar bekend is.",
    )
    pad = PadStapOutput(many=True, help_text="De stappen die vaststaan.")
    openVragen = OpenVraagOutput(  # noqa: N815 - the contract's JSON key
        many=True,
        help_text="De vragen die nog open staan, in de volgorde waarin de routekaart ze stelt; leeg als het advies volledig is.",
    )


EXAMPLE_REQUEST = {
    "regio": "den-haag",
    "antwoorden": {
        "route": "slachtoffer",
        "acuutGevaar": False,
        "wilPolitieSpreken": True,
        "uitbuitingsvormen": ["arbeid"],
        "wilHulp": True,
        "meldcodeProfessional": False,
        "minderjarig": False,
    },
}


PARTIAL_REQUEST = {"regio": "den-haag", "antwoorden": {"acuutGevaar": True}}


class RoutekaartAdviesApi(APIView):
    policy_action = "api.routekaart.advies"

    @extend_schema(
        operation_id="routekaart_advies",
        summary="Advies van de signalenroutekaart: welke partners, in welke volgorde, en waarom",
        request=AdviesInput,
        responses={
            200: AdviesOutput,
            400: OpenApiResponse(
                description=(
                    "Onbekende regio, onbekende antwoordsleutel of ongeldige waarde (problem+json; de sleutel staat in "
                    "invalidParams). Een ontbrekend antwoord is geen fout: dan staat de vraag in openVragen."
                )
            ),
        },
        examples=[
            OpenApiExample("Slachtoffer van arbeidsuitbuiting dat hulp wil", value=EXAMPLE_REQUEST, request_only=True),
            OpenApiExample("Alleen bekend: acuut gevaar", value=PARTIAL_REQUEST, request_only=True),
            OpenApiExample(
                "Advies",
                response_only=True,
                value={
                    "regio": "den-haag",
                    "versie": "2026.2",
                    "advies": [
                        {"soort": "nla", "organisatie": "Nederlandse Arbeidsinspectie (NLA)", "telefoon": "0800-5151", "email": "", "reden": "…"},
                        {"soort": "zorgcoordinator", "organisatie": "SHOP …", "telefoon": "070-3614747 / 06-14007438", "email": "zoco@shop-denhaag.nl", "reden": "…"},
                    ],
                    "pad": [{"knoop": "route", "antwoord": "slachtoffer"}, {"knoop": "s_acuut", "antwoord": "nee"}],
                    "openVragen": [],
                },
            ),
            OpenApiExample(
                "Advies tot nu toe, met open vragen",
                response_only=True,
                value={
                    "regio": "den-haag",
                    "versie": "2026.2",
                    "advies": [{"soort": "alarm-112", "organisatie": "Alarmnummer 112", "telefoon": "112", "email": "", "reden": "…"}],
                    "pad": [],
                    "openVragen": [
                        {"sleutel": "route", "vraag": "Gaat het om een (mogelijk) identificeerbaar slachtoffer of om een locatie?", "toelichting": "…", "opties": ["slachtoffer", "locatie"], "meerkeuze": False},
                        {"sleutel": "wilPolitieSpreken", "vraag": "…", "toelichting": "", "opties": [True, False], "meerkeuze": False},
                    ],
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = AdviesInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            body: dict[str, Any] = advice_json(data.validated_data["regio"], data.validated_data["antwoorden"])
        except AdviceRequestError as exc:
            return problem(
                status.HTTP_400_BAD_REQUEST,
                exc.message,
                code=exc.code,
                invalid_params=[{"name": exc.field, "code": exc.code, "reason": exc.message}],
                instance=request.path,
            )
        return Response(body)
