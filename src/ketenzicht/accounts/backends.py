"""Log in with the username or the e-mail address of the account.

Invited colleagues get their e-mail address as username; older accounts keep their username and
may use their address as well, when exactly one account has it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from ketenzicht.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username and "@" in username and not User.objects.filter(username=username).exists():
            matches = list(User.objects.filter(email__iexact=username.strip()).values_list("username", flat=True)[:2])
            if len(matches) == 1:
                username = matches[0]
        return super().authenticate(request, username=username, password=password, **kwargs)
