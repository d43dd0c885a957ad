"""The view side of the policy: a view names its action; the decorator asks the policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ketenzicht.core import policy

View = Callable[..., HttpResponse]


def policy_view(action: str) -> Callable[[View], View]:
    """Refuse the request unless the policy allows `action`; object checks follow in selectors."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if action not in policy.PUBLIC_ACTIONS and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.can(request.user, action):
                raise PermissionDenied(action)
            return view(request, *args, **kwargs)

        wrapper.policy_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorate
