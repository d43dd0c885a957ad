"""Which username a login attempt is for, for django-axes.

The two-step login form names its field `auth-username`, while `authenticate()` passes
`username`; axes needs the same name from both, or failures would never add up to a lockout.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    data = request.POST if request is not None and request.method == "POST" else {}
    return data.get("auth-username") or data.get("username")
