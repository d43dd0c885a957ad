"""/api/v1/monitor/aanleveringen (partner systems deliver) and /api/v1/monitor/personen.

`POST /api/v1/monitor/aanleveringen`: a partner system (token) delivers a monitor registration
file — with encoded identities or without identities — for one of its own sources, idempotent
on the `Idempotency-Key` header like signal intake. `GET …/aanleveringen/<id>`: the receipt of
one's own delivery. `GET /api/v1/monitor/personen?regio=&jaar=`: persons and the estimate of a
region and year, for that region's ketenregisseur only (session with a second factor).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketenzicht.accounts.models import District, Region
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.api import PROBLEM_CONTENT_TYPE, problem
from ketenzicht.core.ratelimit import ClientRateThrottle, RateLimited
from ketenzicht.intake.api_serializers import ProblemOutput
from ketenzicht.monitor.forms import MAX_UPLOAD_BYTES
from ketenzicht.monitor.models import Import, Source
from ketenzicht.monitor.services import MonitorError
from ketenzicht.persons import linkage, selectors
from ketenzicht.persons.deliveries import DeliveryConflict, delivery_submit
from ketenzicht.persons.models import Delivery, EncodedImport

IDEMPOTENCY_HEADER = "Idempotency-Key"
# The persons figures run a waiting linkage first (like the command) and wait this long for a
# running one; after that they answer from the latest finished linkage with a header saying so.
API_WAIT = 20.0
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")


class ReceiptOutput(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    bron = serializers.CharField(source="source.slug")
    bestand = serializers.CharField(source="file_name")
    status = serializers.CharField()
    regels = serializers.IntegerField(source="row_count")
    gecodeerd = serializers.SerializerMethodField()
    ontvangenOp = serializers.DateTimeField(source="uploaded_at")
    fouten = serializers.SerializerMethodField()

    def get_gecodeerd(self, record: Import) -> bool:
        return EncodedImport.objects.filter(source_import=record).exists()

    def get_fouten(self, record: Import) -> list[dict[str, Any]]:
        return list(record.errors or [])


def _problem_rows(record: Import, instance: str) -> Response:
    params = [
        {"name": f"bestand[rij={e['rij']}]" + (f"[kolom={e['kolom']}]" if e.get("kolom") else ""), "code": "ongeldige-regel", "reason": e["fout"]}
        for e in record.errors
    ]
    response = problem(
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        f"Het bestand is afgewezen: {len(record.errors)} fout(en); er is niets ingelezen. Zie invalidParams (rij en kolom zoals in een spreadsheet).",
        code="bestand-afgewezen",
        invalid_params=params,
        instance=instance,
    )
    response.data["importId"] = str(record.pk)
    return response


DELIVERY_PROBLEMS: dict[Any, Any] = {
    (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemOutput, description=text)
    for code, text in [
        (400, "Bron, bestand of Idempotency-Key ontbreekt of is ongeldig."),
        (401, "Geen of een ongeldig token."),
        (403, "Dit account levert niet aan voor deze bron."),
        (413, "Het bestand is groter dan 20 MB."),
        (422, "Bestand afgewezen (invalidParams noemt rij en kolom), of de Idempotency-Key is eerder gebruikt voor een ander bestand."),
        (429, "Te veel verzoeken; zie Retry-After."),
    ]
}


class DeliveriesApi(APIView):
    policy_action = "monitor.deliver"
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "partner"

    def throttled(self, request: Request, wait: float | None) -> None:
        raise RateLimited(int(wait or 1))

    @extend_schema(
        operation_id="aanleveringen_create",
        summary="Registraties aanleveren voor de monitor (ketenpartner)",
        description=(
            "Levert een registratiebestand (CSV of XLSX, zie de importformaten) aan voor `bron`: met gecodeerde "
            "identiteiten (kolommen `sleutel_id`, `schema`, `clk` uit `ketenzicht encode` of de codeerpagina) of zonder "
            "identiteiten (telt dan niet mee voor het aantal personen). Een bestand met namen wordt geweigerd: codeer het eerst. "
            "Alles of niets: bij één foute regel wordt niets ingelezen (422, met rij en kolom per fout).\n\n"
            "**Idempotent**: een nieuwe `Idempotency-Key` per levering, dezelfde bij een herhaalde poging. Een herhaling "
            "geeft hetzelfde antwoord (`Idempotent-Replayed: true`); dezelfde sleutel met een ander bestand geeft 422. "
            "Hetzelfde bestand onder een nieuwe sleutel telt één keer (200 met de eerdere levering)."
        ),
        parameters=[
            OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description="1–100 tekens uit A–Z, a–z, 0–9, _, -, . en :."),
            OpenApiParameter("Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 422], description="`true` bij een herhaling."),
        ],
        request={"multipart/form-data": inline_serializer("AanleveringInput", {"bron": serializers.CharField(), "bestand": serializers.FileField()})},
        responses={201: ReceiptOutput, 200: OpenApiResponse(ReceiptOutput, description="Herhaling of eerder geleverd bestand."), **DELIVERY_PROBLEMS},
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        if not IDEMPOTENCY_KEY.match(key):
            return problem(
                400, "De header Idempotency-Key ontbreekt of is ongeldig.", code="ongeldige-idempotency-key",
                invalid_params=[{"name": IDEMPOTENCY_HEADER, "code": "invalid" if key else "required", "reason": "Geef 1 tot 100 tekens uit A–Z, a–z, 0–9, _, -, . en :; een nieuwe sleutel per levering."}],
                instance=request.path,
            )  # fmt: skip
        source = Source.objects.exclude(slug="eigen-signalen").filter(slug=request.data.get("bron", "")).first()
        upload = request.FILES.get("bestand")
        invalid = []
        if source is None:
            known = ", ".join(Source.objects.exclude(slug="eigen-signalen").values_list("slug", flat=True))
            invalid.append({"name": "bron", "code": "onbekend" if request.data.get("bron") else "required", "reason": f"Kies een bron: {known}."})
        if upload is None:
            invalid.append({"name": "bestand", "code": "required", "reason": "Stuur het bestand mee als multipart-veld 'bestand'."})
        if invalid:
            return problem(400, "Een of meer velden zijn ongeldig; zie invalidParams.", code="ongeldige-invoer", invalid_params=invalid, instance=request.path)
        if upload.size > MAX_UPLOAD_BYTES:
            return problem(413, "Het bestand is groter dan 20 MB. Splits het in kleinere bestanden.", title="Verzoek te groot", code="te-groot", instance=request.path)
        try:
            result = delivery_submit(actor=request.user, source=source, file_name=upload.name, data=upload.read(), idempotency_key=key)
        except DeliveryConflict:
            return problem(422, "Deze Idempotency-Key is al gebruikt voor een ander bestand of een andere bron. Gebruik voor een nieuwe levering een nieuwe sleutel.", code="idempotency-key-hergebruikt", instance=request.path)
        except MonitorError as exc:
            return problem(400, str(exc), code="ongeldige-invoer", instance=request.path)
        if result.accepted:
            response = Response(ReceiptOutput(result.record).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
            response["Location"] = request.build_absolute_uri(reverse("api-aanlevering", kwargs={"import_id": result.record.pk}))
        else:
            response = _problem_rows(result.record, request.path)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class DeliveryDetailApi(APIView):
    policy_action = "monitor.deliver"

    @extend_schema(operation_id="aanleveringen_retrieve", summary="Ontvangstbewijs van een eigen levering", responses={200: ReceiptOutput, (404, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemOutput)})
    def get(self, request: Request, import_id: str) -> Response:
        # Only deliveries this account made itself; others are "not found", not "forbidden".
        if not Delivery.objects.filter(source_import_id=import_id, actor=request.user).exists():
            raise Http404
        return Response(ReceiptOutput(get_object_or_404(Import.objects.select_related("source"), pk=import_id)).data)


class VerifiedSessionAuthentication(SessionAuthentication):
    """A session counts only with a verified second factor (tokens are not accepted here)."""

    def authenticate(self, request: Request) -> Any:
        found = super().authenticate(request)
        if found is None:
            return None
        user = found[0]
        if not getattr(user, "is_verified", lambda: False)():
            raise NotAuthenticated("Log in met uw tweede factor om personen en schattingen te zien.")
        return found


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document names it: the session cookie of a login with a second factor."""

    target_class = VerifiedSessionAuthentication
    name = "sessieMetTweedeFactor"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "Sessie na inloggen met tweede factor."}


class PersonsApi(APIView):
    policy_action = "persons.view"
    authentication_classes = [VerifiedSessionAuthentication]

    @extend_schema(
        operation_id="personen_retrieve",
        summary="Personen en de geschatte omvang per regio en jaar (ketenregisseur)",
        description=(
            "Geregistreerde en unieke personen (na koppeling van de gecodeerde registraties van alle bronnen), de overlap "
            "tussen bronnen en de schatting van het totaal met 95%-interval (methode auto: laagste BIC, stapsgewijs vanaf "
            "zes bronnen; modelkeuze en koppelonzekerheid in elke bootstrapherhaling), of `weigering` met de reden in gewone "
            "taal. Berekend op het moment van de vraag uit alle geaccepteerde aanleveringen (een wachtende koppeling "
            "wordt eerst uitgevoerd). Elk aantal is afgeschermd met de Cell Key Method zoals de release dat doet: licht "
            "verstoord, dezelfde personen geven steeds dezelfde waarde, 1 tot de drempel wordt 0 of de drempel; de "
            "schatting afgerond op tientallen met het interval naar buiten afgerond. `laterOpnieuw=ja` voegt het "
            "(afgeschermde) aantal personen toe dat in een later jaar opnieuw is geregistreerd. Alleen voor de "
            "ketenregisseur van die regio, met sessie en tweede factor. Header `Ketenzicht-Koppeling: bezig` wanneer "
            "een koppeling na het wachten nog loopt (de cijfers zijn dan die van de vorige koppeling). De monitorpagina's "
            "en publicaties tonen de vrijgegeven cijfers (release)."
        ),
        parameters=[
            OpenApiParameter("regio", str, required=True, description="slug van de regio, bijv. den-haag"),
            OpenApiParameter("jaar", int, required=True, description="jaartal, bijv. 2025"),
            OpenApiParameter("district", str, required=False, description="optioneel: slug van een district van die regio"),
            OpenApiParameter("laterOpnieuw", str, required=False, enum=["ja", "nee"], description="optioneel: `ja` voegt `laterOpnieuw` toe"),
        ],
        responses={200: OpenApiTypes.OBJECT, **{(code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemOutput) for code in (400, 401, 403, 404)}},
    )
    def get(self, request: Request) -> Response:
        slug, year_text = request.query_params.get("regio", ""), request.query_params.get("jaar", "")
        invalid = []
        if not slug:
            invalid.append({"name": "regio", "code": "required", "reason": "Geef de slug van de regio, bijv. den-haag."})
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            invalid.append({"name": "jaar", "code": "invalid" if year_text else "required", "reason": "Geef een jaartal, bijv. 2025."})
        if invalid:
            return problem(400, "Een of meer parameters zijn ongeldig; zie invalidParams.", code="ongeldige-invoer", invalid_params=invalid, instance=request.path)
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            return problem(404, f"Onbekende regio '{slug}'.", code="onbekende-regio", instance=request.path)
        policy.require(request.user, "persons.view", region)
        district = None
        if request.query_params.get("district"):
            district = District.objects.filter(region=region, slug=request.query_params["district"]).first()
            if district is None:
                return problem(404, "Dit district hoort niet bij deze regio.", code="onbekend-district", instance=request.path)
        with contextlib.suppress(TimeoutError):  # then from the latest finished linkage, with the header below
            linkage.ensure_current(region, timeout=API_WAIT)
        later = request.query_params.get("laterOpnieuw", "").lower() in ("ja", "true", "1")
        found = selectors.live(region, int(year_text), district, later=later)
        audit_record(actor=request.user, action=AuditAction.VIEW, object_type="persons.figures", object_id=f"{region.slug}:{year_text}", object_label=district.slug if district else region.slug, reason="api")
        response = Response(found.payload)
        if found.pending is not None:
            response["Ketenzicht-Koppeling"] = "bezig"
        return response
