"""One-time links by e-mail: the invitation of a new colleague and "wachtwoord vergeten".

A link holds a random token of 256 bits; only its SHA-256 is stored, so a copy of the database
opens no account. A link expires (`ACCOUNT_INVITATION_DAYS`, `ACCOUNT_RESET_HOURS`), works once,
and a new link of the same kind replaces the previous one. Asking for a reset never tells whether
the address has an account (same answer, and mail only when it has). The mail carries the link
and its expiry, nothing about cases or other people (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import AccountLink, AccountLinkPurpose, User
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import notify

logger = logging.getLogger(__name__)


class LinkError(ValueError):
    """A link that cannot be used; the message says why and what to do, in Dutch."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime(purpose: str) -> timedelta:
    if purpose == AccountLinkPurpose.UITNODIGING:
        return timedelta(days=settings.ACCOUNT_INVITATION_DAYS)
    return timedelta(hours=settings.ACCOUNT_RESET_HOURS)


def _link_create(user: User, purpose: str, created_by: Any, now: datetime) -> tuple[str, AccountLink]:
    # A new link replaces the ones before it: an old mail in someone's inbox stops working.
    AccountLink.objects.filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = AccountLink.objects.create(
        user=user, purpose=purpose, token_hash=token_hash(token), created_at=now,
        expires_at=now + _lifetime(purpose), created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return token, link


def _site(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def _mail(user: User, token: str, link: AccountLink) -> None:
    url = _site(reverse("account:link", kwargs={"token": token}))
    with translation.override("nl"):
        until = formats.date_format(timezone.localtime(link.expires_at), "j F Y, H:i")
        if link.purpose == AccountLinkPurpose.UITNODIGING:
            subject = _("Uitnodiging voor Ketenzicht")
            body = _(
                "U bent uitgenodigd voor Ketenzicht, het systeem voor signalen van mensenhandel.\n\n"
                "Stel via deze link uw wachtwoord in en daarna de tweestapsverificatie met een app op uw telefoon:\n%(url)s\n\n"
                "De link werkt één keer en tot %(until)s. U logt daarna in met dit e-mailadres.\n"
                "Verwacht u deze uitnodiging niet? Dan kunt u deze e-mail negeren."
            ) % {"url": url, "until": until}
        else:
            subject = _("Nieuw wachtwoord voor Ketenzicht")
            body = _(
                "Er is gevraagd om een nieuw wachtwoord voor uw account in Ketenzicht.\n\n"
                "Stel via deze link een nieuw wachtwoord in:\n%(url)s\n\n"
                "De link werkt één keer en tot %(until)s. Uw tweestapsverificatie blijft zoals die is.\n"
                "Heeft u dit niet zelf gevraagd? Dan kunt u deze e-mail negeren; uw wachtwoord blijft dan hetzelfde."
            ) % {"url": url, "until": until}
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        # The link stays valid; the beheerder can send it again. Log the id, never the address.
        logger.warning("account link mail failed for user %s", user.pk)


def invitation_send(*, actor: Any, user: User, now: datetime | None = None) -> AccountLink:
    """Invite (or invite again) a colleague who has not set a password yet."""
    policy.require(actor, "users.manage", user)
    if user.has_usable_password():
        raise LinkError(_("Deze collega heeft al een wachtwoord. Laat hem of haar 'Wachtwoord vergeten' gebruiken."))
    if not user.is_active:
        raise LinkError(_("Dit account is gedeactiveerd. Activeer het eerst."))
    now = now or timezone.now()
    with transaction.atomic():
        token, link = _link_create(user, AccountLinkPurpose.UITNODIGING, actor, now)
        audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.get_full_name(), fields=["uitnodiging"], reason="uitnodiging verstuurd")
        transaction.on_commit(lambda: _mail(user, token, link))
    return link


def password_reset_request(*, email: str, now: datetime | None = None) -> None:
    """Send a reset link if `email` belongs to an active account with a password; say nothing either way."""
    now = now or timezone.now()
    email = email.strip()
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password() or user.has_role("systeem"):
            continue
        with transaction.atomic():
            token, link = _link_create(user, AccountLinkPurpose.WACHTWOORD, None, now)
            audit_record(actor=user, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.get_full_name(), fields=["wachtwoord"], reason="herstellink aangevraagd")
            transaction.on_commit(lambda user=user, token=token, link=link: _mail(user, token, link))


def _refusal(link: AccountLink | None, now: datetime) -> str | None:
    again = _("Vraag uw beheerder om een nieuwe uitnodiging.") if link is None or link.purpose == AccountLinkPurpose.UITNODIGING else _("Vraag via 'Wachtwoord vergeten' een nieuwe link aan.")
    if link is None:
        return _("Deze link is niet (meer) geldig.") + " " + again
    if link.used_at is not None:
        return _("Deze link is al gebruikt; een link werkt maar één keer.") + " " + again
    if link.expires_at <= now or not link.user.is_active:
        return _("Deze link is verlopen.") + " " + again
    return None


def link_check(token_or_hash: str, *, hashed: bool = False, now: datetime | None = None) -> AccountLink:
    """The link for this token, or LinkError saying why it cannot be used."""
    digest = token_or_hash if hashed else token_hash(token_or_hash)
    link = AccountLink.objects.select_related("user").filter(token_hash=digest).first()
    problem = _refusal(link, now or timezone.now())
    if problem:
        raise LinkError(problem)
    return link  # type: ignore[return-value]


def link_use(*, digest: str, password: str, now: datetime | None = None) -> User:
    """Set the password through a link (once). Raises LinkError or Django's ValidationError."""
    now = now or timezone.now()
    with transaction.atomic():
        link = AccountLink.objects.select_for_update().filter(token_hash=digest).first()
        problem = _refusal(link, now)
        if problem:
            raise LinkError(problem)
        user = User.objects.select_for_update().get(pk=link.user_id)
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        link.used_at = now
        link.save(update_fields=["used_at"])
        purpose = "uitnodiging aanvaard, wachtwoord ingesteld" if link.purpose == AccountLinkPurpose.UITNODIGING else "wachtwoord opnieuw ingesteld"
        audit_record(actor=user, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.get_full_name(), fields=["wachtwoord"], reason=purpose)
        if link.purpose == AccountLinkPurpose.WACHTWOORD:
            # Told at once (security mails cannot be switched off): a reset the owner did not ask for shows.
            notify(recipients=[user], kind=Kind.BEVEILIGING, title=_("Uw wachtwoord is gewijzigd. Was u dit niet? Neem dan direct contact op met uw beheerder."), link=reverse("notifications:list"), now=now)
    if link.purpose == AccountLinkPurpose.WACHTWOORD:
        from ketenzicht.accounts.services import end_sessions

        end_sessions(user, tokens=False)
    return user
