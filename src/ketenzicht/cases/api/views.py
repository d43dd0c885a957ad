"""The signalen API: one class per operation, input and output serializers apart."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ketenzicht.accounts.models import Municipality
from ketenzicht.accounts.selectors import municipalities_with_af
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import services
from ketenzicht.cases.api.serializers import (
    MunicipalityOutput,
    SignalDetailOutput,
    SignalListOutput,
    TransitionInput,
)
from ketenzicht.cases.models import Case
from ketenzicht.core import policy


class SignalListApi(APIView):
    policy_action = "api.signal.list"

    @extend_schema(
        operation_id="signalen_list",
        summary="Signalen van de eigen gemeente",
        parameters=[OpenApiParameter("status", str, description="Filter op status")],
        responses=SignalListOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = policy.cases_visible_to(request.user, Case.objects.select_related("municipality"))
        if state := request.query_params.get("status"):
            qs = qs.filter(state=state)
        return Response(SignalListOutput(qs.order_by("-created_at")[:200], many=True).data)


class _SignalObjectApi(APIView):
    def _case(self, request: Request, case_id: str) -> Case:
        case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_id)
        self.check_object_permissions(request, case)
        return case


class SignalDetailApi(_SignalObjectApi):
    policy_action = "api.signal.view"

    @extend_schema(operation_id="signalen_retrieve", summary="Eén signaal", responses=SignalDetailOutput)
    def get(self, request: Request, case_id: str) -> Response:
        case = self._case(request, case_id)
        audit_record(actor=request.user, action=AuditAction.VIEW, object_type="case", object_id=case.pk, object_label=case.reference, fields=["signaal", "betrokkenen"], reason="api")
        steps = [t.action for t in services.next_steps(case)]
        return Response(SignalDetailOutput(case, context={"next_steps": steps}).data)


class SignalTransitionApi(_SignalObjectApi):
    policy_action = "api.signal.transition"

    @extend_schema(
        operation_id="signalen_transitie",
        summary="Een stap zetten in de behandeling",
        request=TransitionInput,
        responses={200: SignalDetailOutput, 409: OpenApiResponse(description="Deze stap kan niet vanuit de huidige status (problem+json).")},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = self._case(request, case_id)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        # A refused step (table outcomes included: the API is not a table) becomes a 409
        # problem+json through core.api.problem_exception_handler, as every ServiceError.
        case = services.case_transition(actor=request.user, case=case, action=data.validated_data["stap"], reason=data.validated_data.get("toelichting", ""))
        steps = [t.action for t in services.next_steps(case)]
        return Response(SignalDetailOutput(case, context={"next_steps": steps}).data)


class MunicipalityListApi(APIView):
    policy_action = "api.reference"

    @extend_schema(operation_id="gemeenten_list", summary="Gemeenten (CBS 2025)", responses=MunicipalityOutput(many=True))
    def get(self, request: Request) -> Response:
        with_af = set(municipalities_with_af().values_list("pk", flat=True))
        municipalities = Municipality.objects.select_related("region")
        return Response(MunicipalityOutput(municipalities, many=True, context={"with_af": with_af}).data)
