"""`/api/v1/signalen`: GET lists (the AF's own municipality), POST submits (partner systems).

One path, two operations, each with its own policy action. The POST is idempotent on the
`Idempotency-Key` header, scoped per submitting account:

- first request with a key → 201 Created, the receipt and a Location header;
- the same key with the same body again (a retry) → 200 OK with the same receipt and
  `Idempotent-Replayed: true`; no second signal, also when both requests race;
- the same key with another body → 422, nothing stored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ketenzicht.cases.api.views import SignalListApi
from ketenzicht.cases.services import CaseError
from ketenzicht.core.api import PROBLEM_CONTENT_TYPE, problem
from ketenzicht.core.api_input import SafeJSONParser
from ketenzicht.core.ratelimit import ClientRateThrottle, RateLimited
from ketenzicht.intake.api_serializers import PartnerSignalInput, ProblemOutput, SignalReceiptOutput
from ketenzicht.intake.partner import (
    IdempotencyConflict,
    OutsidePlatform,
    body_fingerprint,
    partner_signal_submit,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
# A signal is text and a few subjects: 256 KiB is far above any real one and far below
# DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's JSON parser does not enforce on its own.
MAX_BODY_BYTES = 256 * 1024

EXAMPLE_SIGNAL = {
    "gemeenteCode": "GM0638",
    "omschrijving": "Bij controle bleken twaalf arbeidsmigranten in één bedrijfsruimte te slapen; paspoorten lagen bij de werkgever.",
    "waargenomenOp": "2026-11-20",
    "adres": "Industrieweg 12, 2382 NW Zoeterwoude",
    "plaatsomschrijving": "",
    "uitbuitingsvormen": ["arbeid"],
    "minderjarig": "nee",
    "acuutGevaar": False,
    "betrokkenen": [
        {"rol": "bedrijf", "naam": "Voorbeeld Uitzendbureau B.V.", "kvkNummer": "12345678"},
        {"rol": "slachtoffer", "omschrijving": "Twaalf mannen, vermoedelijk uit Roemenië"},
    ],
}
EXAMPLE_RECEIPT = {
    "id": "6f1c2c1e-8a4b-4f8e-9a53-2d3c0e5b7a10",
    "kenmerk": "KZ-2026-000123",
    "status": "ontvangen",
    "ontvangenOp": "2026-11-23T09:14:03.512000+01:00",
}
PROBLEM_RESPONSES: dict[Any, Any] = {
    (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemOutput, description=text)
    for code, text in [
        (400, "Ongeldige invoer of een ontbrekende/ongeldige Idempotency-Key; invalidParams noemt het veld of de header."),
        (401, "Geen of een ongeldig token."),
        (403, "Dit account mag geen signalen aanleveren."),
        (413, "Het verzoek is groter dan 256 KiB."),
        (415, "Alleen application/json."),
        (422, "Deze Idempotency-Key is eerder gebruikt met een andere inhoud, of de gemeente ligt buiten de regio's in Ketenzicht (niets opgeslagen)."),
        (429, "Te veel verzoeken; zie Retry-After."),
    ]
}


# Examples of the create operation in the OpenAPI document: the request, the receipt, two problems.
CREATE_EXAMPLES = [
    OpenApiExample("Signaal van arbeidsuitbuiting", value=EXAMPLE_SIGNAL, request_only=True),
    OpenApiExample("Ontvangstbewijs", value=EXAMPLE_RECEIPT, response_only=True, status_codes=["201", "200"]),
    OpenApiExample(
        "Onbekende gemeentecode",
        value={
            "type": "https://ketenzicht.nl/problemen/ongeldige-invoer",
            "title": "Ongeldige invoer",
            "status": 400,
            "detail": "Een of meer velden zijn ongeldig; zie invalidParams.",
            "code": "ongeldige-invoer",
            "instance": "/api/v1/signalen",
            "invalidParams": [
                {"name": "gemeenteCode", "code": "onbekende-gemeente", "reason": "Onbekende gemeentecode GM9999; gebruik een CBS-code uit /api/v1/gemeenten."}
            ],
        },
        response_only=True,
        status_codes=["400"],
        media_type=PROBLEM_CONTENT_TYPE,
    ),
    OpenApiExample(
        "Sleutel hergebruikt met andere inhoud",
        value={
            "type": "https://ketenzicht.nl/problemen/idempotency-key-hergebruikt",
            "title": "Niet verwerkbaar",
            "status": 422,
            "detail": "Deze Idempotency-Key is al gebruikt voor een verzoek met een andere inhoud. Gebruik voor een nieuwe melding een nieuwe sleutel.",
            "code": "idempotency-key-hergebruikt",
            "instance": "/api/v1/signalen",
        },
        response_only=True,
        status_codes=["422"],
        media_type=PROBLEM_CONTENT_TYPE,
    ),
]


class SignalenApi(SignalListApi):
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "partner"

    @property
    def policy_action(self) -> str:  # type: ignore[override]
        request = getattr(self, "request", None)
        return "api.signal.create" if request is not None and request.method == "POST" else "api.signal.list"

    def get_parsers(self) -> list[Any]:
        # The POST takes JSON only (415 otherwise); the fingerprint is of the JSON body.
        return [SafeJSONParser()]

    def throttled(self, request: Request, wait: float | None) -> None:
        raise RateLimited(int(wait or 1))

    @extend_schema(
        operation_id="signalen_create",
        summary="Een signaal aanleveren (ketenpartner)",
        description=(
            "Levert een signaal aan bij de gemeente met `gemeenteCode`. Authenticatie: `Authorization: Token …`.\n\n"
            "**Idempotent**: stuur bij elke nieuwe melding een nieuwe `Idempotency-Key` en bij een herhaalde poging "
            "(time-out, verbroken verbinding) dezelfde sleutel met dezelfde inhoud. De eerste keer volgt 201 Created; "
            "een herhaling geeft 200 OK met precies hetzelfde ontvangstbewijs en de header `Idempotent-Replayed: true`, "
            "en maakt nooit een tweede signaal. Dezelfde sleutel met een andere inhoud geeft 422. "
            "Sleutels gelden per account: twee ketenpartners kunnen dezelfde sleutel gebruiken."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                pattern=IDEMPOTENCY_KEY.pattern,
                description="1–100 tekens uit A–Z, a–z, 0–9, _, -, . en :; bijvoorbeeld een UUID. Nieuw per melding, gelijk bij een herhaalde poging.",
                examples=[OpenApiExample("UUID", value="9b2f6a0e-3c1d-4e8a-b7f5-0d2c4a6e8f13")],
            ),
            OpenApiParameter("Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[200, 201], description="Adres van het signaal."),
            OpenApiParameter("Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], description="`true` bij een herhaling."),
            OpenApiParameter("Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconden tot een nieuwe poging kan."),
        ],
        request=PartnerSignalInput,
        responses={
            201: OpenApiResponse(SignalReceiptOutput, description="Signaal opgeslagen."),
            200: OpenApiResponse(SignalReceiptOutput, description="Herhaling: het signaal bestond al; hetzelfde ontvangstbewijs."),
            **PROBLEM_RESPONSES,
        },
        examples=CREATE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        if _content_length(request) > MAX_BODY_BYTES:
            return problem(413, _("Het verzoek is te groot (meer dan 256 KiB)."), title=_("Verzoek te groot"), code="te-groot", instance=request.path)
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        if not IDEMPOTENCY_KEY.match(key):
            reason = (
                _("Geef 1 tot 100 tekens uit A–Z, a–z, 0–9, _, -, . en :.")
                if key
                else _("Deze header is verplicht: een nieuwe sleutel per melding, dezelfde bij een herhaalde poging.")
            )
            return problem(
                status.HTTP_400_BAD_REQUEST,
                _("De header Idempotency-Key ontbreekt of is ongeldig."),
                code="ongeldige-idempotency-key",
                invalid_params=[{"name": IDEMPOTENCY_HEADER, "code": "invalid" if key else "required", "reason": reason}],
                instance=request.path,
            )
        data = PartnerSignalInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case, created = partner_signal_submit(
                actor=request.user, data=data.validated_data, idempotency_key=key, fingerprint=body_fingerprint(request.data)
            )
        except IdempotencyConflict:
            return problem(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                _("Deze Idempotency-Key is al gebruikt voor een verzoek met een andere inhoud. Gebruik voor een nieuwe melding een nieuwe sleutel."),
                code="idempotency-key-hergebruikt",
                instance=request.path,
            )
        except OutsidePlatform as exc:
            return _outside_platform(request, exc)
        except CaseError as exc:
            return problem(status.HTTP_400_BAD_REQUEST, str(exc), code="ongeldige-invoer", instance=request.path)
        response = Response(SignalReceiptOutput(case).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        return with_receipt_headers(response, request, case, created=created)


_ANY_ID = "00000000-0000-4000-8000-000000000000"


@lru_cache(maxsize=16)
def _signal_path(prefix: str) -> str:
    """The path of a signal, with _ANY_ID for its id: reversed once per script prefix, not per receipt."""
    return reverse("api-signaal", kwargs={"case_id": _ANY_ID})


def with_receipt_headers(response: Any, request: Any, case: Any, *, created: bool) -> Any:
    """The receipt's Location and, for a repeat, Idempotent-Replayed (also intake/fast_api.py)."""
    response["Location"] = request.build_absolute_uri(_signal_path(get_script_prefix()).replace(_ANY_ID, str(case.pk)))
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _outside_platform(request: Request, exc: OutsidePlatform) -> Response:
    """A municipality outside every loaded region: nothing stored, and where to report instead."""
    name = exc.municipality.name
    return problem(
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        _(
            "%(name)s werkt niet met Ketenzicht; het signaal is niet opgeslagen. Meld het bij de politie "
            "(0900-8844), anoniem bij Meld Misdaad Anoniem (0800-7000) of bij de gemeente %(name)s zelf."
        ) % {"name": name},
        title=_("Gemeente niet aangesloten"),
        code="gemeente-niet-aangesloten",
        invalid_params=[{"name": "gemeenteCode", "code": "gemeente-niet-aangesloten", "reason": _("%(code)s ligt buiten de regio's in Ketenzicht.") % {"code": exc.municipality.cbs_code}}],
        instance=request.path,
    )


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
