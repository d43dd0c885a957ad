"""Reminder e-mails for interventions whose effect is still missing.

The meetings reminders (meetings/reminders.py) have a fixed set of sources and kinds, so this
app keeps its own small table with the same once-only pattern: find or create the row by its
natural key (intervention, due date; a unique constraint makes two workers agree), claim it with
a conditional UPDATE, send, mark sent; a failed send releases the claim for the next run.
Mails carry no personal data: the case reference (if any), the instrument, the date and a link.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Role, User
from ketenzicht.barriers.models import EffectReminderSent, Intervention

logger = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=15)


def _recipients(intervention: Intervention) -> list[str]:
    creator = intervention.created_by
    if creator is not None and creator.is_active and creator.email and creator.has_role(Role.AANDACHTSFUNCTIONARIS):
        return [creator.email]
    users = User.objects.filter(
        is_active=True, organisation__municipality_id=intervention.municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS
    ).exclude(email="")
    return sorted({u.email for u in users})


def effects_missing(today: date) -> list[Intervention]:
    return list(
        Intervention.objects.filter(effect_recorded_at__isnull=True, effect_due__isnull=False, effect_due__lt=today)
        .select_related("case", "created_by")
    )


def _claim(intervention: Intervention, recipients: list[str], now: datetime) -> EffectReminderSent | None:
    key = {"intervention": intervention, "due_date": intervention.effect_due}
    try:
        with transaction.atomic():
            row, _ = EffectReminderSent.objects.get_or_create(**key, defaults={"recipients": recipients})
    except IntegrityError:
        row = EffectReminderSent.objects.get(**key)
    claimed = (
        EffectReminderSent.objects.filter(pk=row.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(claimed_at=now, recipients=recipients)
    )
    return row if claimed == 1 else None


def effect_reminders_send(today: date | None = None, now: datetime | None = None) -> int:
    """Send one reminder per intervention whose effect is overdue; returns how many went out."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    sent = 0
    for intervention in effects_missing(today):
        recipients = _recipients(intervention)
        if not recipients:
            continue
        row = _claim(intervention, recipients, now)
        if row is None:
            continue
        about = f" bij {intervention.case.reference}" if intervention.case else ""
        link = base + reverse("barriers:intervention", kwargs={"intervention_id": intervention.pk})
        try:
            send_mail(
                f"Ketenzicht: effect van een interventie{about} ontbreekt",
                (
                    f"Het effect van de interventie '{intervention.get_instrument_display()}'{about} had uiterlijk "
                    f"{intervention.effect_due:%d-%m-%Y} vastgelegd moeten zijn.\n\n"
                    f"Leg het effect vast in Ketenzicht: {link}\n"
                ),
                None,
                recipients,
            )
        except Exception:  # noqa: BLE001 - any mail failure: release the claim and retry next run
            EffectReminderSent.objects.filter(pk=row.pk).update(claimed_at=None)
            logger.exception("effect reminder failed for intervention %s", intervention.pk)
            continue
        EffectReminderSent.objects.filter(pk=row.pk).update(sent_at=timezone.now())
        logger.info("effect reminder sent for intervention %s", intervention.pk)
        sent += 1
    return sent
