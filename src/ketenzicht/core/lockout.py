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


# --- Second-factor attempts and lockout notices (issue 17) -------------------------------------
# django-otp's own throttle doubles the wait after every wrong code (2^n seconds): after a dozen
# wrong codes typed by anyone who knows the password, the owner could not log in for hours. It is
# switched off (OTP_TOTP_THROTTLE_FACTOR = 0) for this limit instead: at most TOTP_FAILURE_LIMIT
# wrong codes per account within TOTP_COOLOFF_SECONDS of the first; then codes are not even
# checked until that time is up, after which the owner logs in with password and a correct code.
# The count lives in the shared store (core/counters.py): it holds across workers and restarts.


def _totp_key(user: Any) -> str:
    return f"totp-failures:{user.pk}"


def totp_locked(user: Any) -> bool:
    from django.conf import settings

    from ketenzicht.core import counters

    return counters.peek(_totp_key(user)) >= settings.TOTP_FAILURE_LIMIT


def totp_failed(user: Any, request: HttpRequest | None) -> None:
    from django.conf import settings

    from ketenzicht.core import counters

    count = counters.increment(_totp_key(user), settings.TOTP_COOLOFF_SECONDS)
    if count == settings.TOTP_FAILURE_LIMIT:
        notify_locked_out(user, request, minutes=max(1, settings.TOTP_COOLOFF_SECONDS // 60))


def totp_succeeded(user: Any) -> None:
    from ketenzicht.core import counters

    counters.reset(_totp_key(user))


def notify_locked_out(user: Any, request: HttpRequest | None, *, minutes: int) -> None:
    """Tell the account's owner, once per lockout: a link only, no address, no attempt details."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from ketenzicht.core import counters

    if not getattr(user, "email", ""):
        return
    # Once per cool-off, however many processes see the lockout.
    if counters.increment(f"lockout-notice:{user.pk}", max(60, minutes * 60)) != 1:
        return
    path = reverse("two_factor:login")
    link = request.build_absolute_uri(path) if request is not None else path
    body = (
        "Beste collega,\n\n"
        "Er is een aantal keren zonder succes geprobeerd in te loggen op uw Ketenzicht-account. "
        f"Uit voorzorg is inloggen tijdelijk geblokkeerd. Na {minutes} minuten kunt u weer inloggen.\n\n"
        "Was u dit zelf? Dan hoeft u niets te doen. Was u dit niet? Meld het bij de beheerder van uw "
        "organisatie en wijzig uw wachtwoord.\n\n"
        f"{link}\n"
    )
    try:
        send_mail("Ketenzicht: inloggen tijdelijk geblokkeerd", body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError:  # no mail server: the lockout itself still holds
        import logging

        logging.getLogger(__name__).warning("lockout notice not sent user=%s", user.pk)


def on_axes_lockout(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    """django-axes locked a username out after failed passwords: tell its owner (if it exists)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    if not username:
        return
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        notify_locked_out(user, request, minutes=int(float(settings.AXES_COOLOFF_TIME) * 60))
