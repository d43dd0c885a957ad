"""Optional staff SSO through OpenID Connect (mozilla-django-oidc), off unless configured.

- On when `OIDC_RP_CLIENT_ID` is set (with the provider's endpoints, docs/operations.md).
- Nobody gets an account from the identity provider: the beheerder invites colleagues as always,
  and the roles are Ketenzicht's own. The first SSO login links the account by e-mail address and
  remembers the provider's subject (`sub`); after that the subject decides.
- "2FA here, or MFA asserted by the IdP": when the ID token's `amr` holds one of
  `OIDC_MFA_AMR_VALUES`, or its `acr` is one of `OIDC_MFA_ACR_VALUES`, the session counts as
  two-factor verified; otherwise the colleague types the code of their Ketenzicht authenticator
  (or sets one up) before anything else opens.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ketenzicht.accounts.models import Role, User
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record

logger = logging.getLogger(__name__)
IDP_MFA_SESSION_KEY = "kz_idp_mfa"


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def idp_asserted_mfa(claims: dict[str, Any]) -> bool:
    """True when the ID token says the person used more than one factor at the provider."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    acr = str(claims.get("acr") or "")
    return bool(set(map(str, amr)) & set(settings.OIDC_MFA_AMR_VALUES)) or (bool(acr) and acr in settings.OIDC_MFA_ACR_VALUES)


class KetenzichtOIDCBackend(OIDCAuthenticationBackend):
    """Links SSO logins to invited accounts; never creates one; inert while SSO is off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.enabled = oidc_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not self.enabled:
            return None
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        people = User.objects.filter(is_active=True).exclude(roles__role=Role.SYSTEEM)
        subject = str(claims.get("sub") or "")
        if subject:
            linked = people.filter(oidc_subject=subject)
            if linked.exists():
                return linked
        email = str(claims.get("email") or "").strip()
        if not email:
            return people.none()
        return people.filter(email__iexact=email, oidc_subject="")

    def create_user(self, claims: dict[str, Any]) -> Any:
        return None  # accounts come from an invitation, never from the provider

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        subject = str(claims.get("sub") or "")
        if subject and not user.oidc_subject:
            user.oidc_subject = subject
            user.save(update_fields=["oidc_subject"])
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            logger.info("sso login refused: no active account for the provider's subject")
            return None
        mfa = idp_asserted_mfa(payload)
        self.request.session[IDP_MFA_SESSION_KEY] = user.pk if mfa else None
        audit_record(actor=user, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.get_full_name(), fields=["inloggen"], reason="ingelogd via de inlogdienst" + (" met meerfactorauthenticatie" if mfa else ""))
        return user


class SsoStartView(OIDCAuthenticationRequestView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if oidc_enabled():
            super().__init__(*args, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("sso is off")
        return super().dispatch(request, *args, **kwargs)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("sso is off")
        return super().dispatch(request, *args, **kwargs)

    @property
    def success_url(self) -> str:
        user = self.user
        if self.request.session.get(IDP_MFA_SESSION_KEY) == user.pk:
            return super().success_url
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return reverse("account:sso_code")
        return reverse("two_factor:setup")

    def login_failure(self) -> HttpResponse:
        from django.shortcuts import redirect

        messages.error(self.request, _("Inloggen via de inlogdienst van uw organisatie is niet gelukt. Heeft u al een uitnodiging voor Ketenzicht gekregen? Vraag anders de beheerder van uw organisatie."))
        return redirect("two_factor:login")


class IdpMfaMiddleware:
    """A session whose login the provider confirmed with MFA counts as two-factor verified.

    An SSO login without MFA at the provider is sent to the code of the Ketenzicht authenticator
    (not to the password login, which such a colleague may never have used).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import redirect

        from ketenzicht.core.middleware import EXEMPT_PREFIXES

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if not (oidc_enabled() and user is not None and session is not None and user.is_authenticated and IDP_MFA_SESSION_KEY in session):
            return self.get_response(request)
        if session.get(IDP_MFA_SESSION_KEY) == user.pk:
            user.is_verified = lambda: True  # type: ignore[union-attr]
        elif not user.is_verified() and not request.path.startswith(EXEMPT_PREFIXES) and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("account:sso_code")
        return self.get_response(request)
