"""Shapes of the partner intake API (camelCase keys, per the Dutch API design rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases.api.serializers import SignalCreateInput, SubjectInputSerializer
from ketenzicht.domain.case_states import CaseState
from ketenzicht.intake.partner import municipality_by_code

MAX_SUBJECTS = 50


class PartnerSignalInput(SignalCreateInput):
    """The signal as a partner posts it; a code must name a municipality we know."""

    betrokkenen = SubjectInputSerializer(many=True, required=False, max_length=MAX_SUBJECTS)

    def validate_gemeenteCode(self, value: str) -> Municipality:  # noqa: N802 - API key
        """Resolve the code once: the validated data carries the Municipality itself."""
        municipality = municipality_by_code(value)
        if municipality is None:
            raise serializers.ValidationError(
                _("Onbekende gemeentecode %(code)s; gebruik een CBS-code uit /api/v1/gemeenten.") % {"code": value},
                code="onbekende-gemeente",
            )
        return municipality


class SignalReceiptOutput(serializers.Serializer):
    """The receipt: what the partner may know of its signal, as of the moment it arrived.

    `status` is the status at receipt (every signal arrives as "ontvangen"), not the status
    now: a replay repeats the first answer unchanged, and a partner reads nothing of the
    handling (policy: partners read nothing back but their own receipt).
    """

    id = serializers.UUIDField()
    kenmerk = serializers.CharField(source="reference")
    status = serializers.SerializerMethodField()
    ontvangenOp = serializers.DateTimeField(source="created_at")

    def get_status(self, obj: object) -> str:
        return CaseState.ONTVANGEN.value


class InvalidParamOutput(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()


class ProblemOutput(serializers.Serializer):
    """application/problem+json (RFC 9457), as core.api.problem writes it."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    instance = serializers.CharField(required=False)
    invalidParams = InvalidParamOutput(many=True, required=False)
