"""Writing notifications: `notify(...)` for every app, preferences, marking as read.

Other apps call `notify` (or schedule it with `transaction.on_commit`) with the people to tell,
the kind of event, a title without personal data and a link inside Ketenzicht. The rows are
written in the caller's transaction; the e-mails go after the commit, once each, through the
outbox of `meetings/reminders.py` (see `delivery.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import Role, User
from ketenzicht.cases.models import Case
from ketenzicht.notifications.models import (
    ALWAYS_DIRECT,
    Delivery,
    Kind,
    MailState,
    Notification,
    Preference,
)

_MAIL_STATE = {Delivery.DIRECT: MailState.WACHT, Delivery.DAGELIJKS: MailState.OVERZICHT, Delivery.UIT: MailState.GEEN}


def delivery_for(user: Any, kind: str, *, urgent: bool = False) -> str:
    """How `user` gets mail of `kind`: urgent events and security mails always at once."""
    if urgent or kind in ALWAYS_DIRECT:
        return Delivery.DIRECT
    chosen = Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return chosen or Delivery.DIRECT


def _reachable(user: Any) -> bool:
    return bool(user is not None and user.is_active and not user.has_role(Role.SYSTEEM))


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    link: str,
    urgent: bool = False,
    key: str = "",
    now: datetime | None = None,
) -> list[Notification]:
    """Tell each of `recipients` about one event; returns the notifications written.

    `title` is shown in the app and must hold no personal data (a case reference is fine; a
    name, address or description is not). With `key`, each person is told of the event once,
    however often this is called. E-mails follow each person's preference after the commit.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or timezone.now()
    written: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if not _reachable(user) or user.pk in seen:
            continue
        seen.add(user.pk)
        state = _MAIL_STATE[delivery_for(user, kind, urgent=urgent)] if user.email else MailState.GEEN
        fields = {"kind": kind, "title": title[:200], "link": link, "urgent": urgent, "created_at": now, "mail_state": state}
        if key:
            try:
                with transaction.atomic():
                    notification, created = Notification.objects.get_or_create(recipient=user, key=key, defaults=fields)
            except IntegrityError:  # a concurrent call wrote it first
                continue
            if not created:
                continue
        else:
            notification = Notification.objects.create(recipient=user, **fields)
        written.append(notification)
    pending = [n.pk for n in written if n.mail_state == MailState.WACHT]
    if pending:
        from ketenzicht.notifications.delivery import deliver

        transaction.on_commit(lambda: deliver(pending))
    return written


def afs_of(municipality_id: int) -> QuerySet[User]:
    """The active aandachtsfunctionarissen of a municipality."""
    return User.objects.filter(
        is_active=True, organisation__municipality_id=municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS
    ).distinct()


def new_signal_notify(case_id: object) -> list[Notification]:
    """A new signal: its municipality's AFs; acute danger or a minor is flagged and mailed at once.

    Run by the task worker (`intake/tasks.py`: the intake enqueues it on commit), so neither these
    statements nor the mail server slow an intake down.
    """
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return []
    flags = []
    if case.acute_danger:
        flags.append(_("acuut gevaar"))
    if case.minor_involved == "ja":
        flags.append(_("minderjarige betrokken"))
    title = _("Nieuw signaal %(reference)s") % {"reference": case.reference}
    if flags:
        title = f"{title} ({', '.join(flags)})"
    return notify(
        recipients=afs_of(case.municipality_id),
        kind=Kind.NIEUW_SIGNAAL,
        title=title,
        link=reverse("cases:detail", kwargs={"case_id": case.pk}),
        urgent=bool(flags),
        key=f"signaal:{case.pk}",
    )


def preferences_of(user: Any) -> dict[str, str]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.DIRECT) for kind in Kind.values}


def preferences_set(*, actor: Any, choices: dict[str, str]) -> None:
    """Store the actor's own preferences (security mails cannot be changed)."""
    with transaction.atomic():
        for kind, delivery in choices.items():
            if kind not in Kind.values or delivery not in Delivery.values or kind in ALWAYS_DIRECT:
                raise ValueError(f"invalid preference {kind}={delivery}")
            Preference.objects.update_or_create(user=actor, kind=kind, defaults={"delivery": delivery})


def mark_read(*, actor: Any, notification: Notification, now: datetime | None = None) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("not your notification")
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(*, actor: Any, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now or timezone.now())
