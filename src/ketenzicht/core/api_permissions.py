"""API access through the policy module (kept apart from api.py: DRF imports it at settings time)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ketenzicht.core import policy


class PolicyPermission(BasePermission):
    """Each API view names `policy_action`; object checks go through `policy.can` too."""

    def has_permission(self, request: Request, view: Any) -> bool:
        action = getattr(view, "policy_action", None)
        if action is None:
            return False  # a view without a declared action is closed, never open
        return policy.can(request.user, action)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = getattr(view, "object_policy_action", None) or view.policy_action  # type: ignore[attr-defined]
        try:
            policy.require(request.user, action, obj)  # a refusal on personal data is audited there
        except PermissionDenied:
            return False
        return True
