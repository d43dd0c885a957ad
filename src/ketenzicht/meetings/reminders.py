"""Reminder e-mails for action items, feedback to reporters and first assessments.

A reminder is sent once per (subject, kind, due date): near the deadline ("bijna") and once
more when it has passed ("te_laat"). The row in ``ReminderSent`` is the proof. Sending follows
healthchecks' sendalerts: find or create the row by its natural key (a unique constraint makes
two workers agree on one row), then claim it with a conditional UPDATE; only the worker whose
UPDATE changed a row sends. A failed send releases the claim, so the next run tries again; a
claim older than ``STALE_CLAIM`` (a worker that died mid-send) may be taken over.

Mails carry no personal data: a case reference, the kind of deadline, the date and a link.

The same claim is the project's one outbox: `send_once` sends any mail keyed this way, and the
notifications app sends its notification mails and daily digests through it. Recipient filters
(`register_recipient_filter`) see each claimed reminder before it goes: the notifications app
turns a deadline reminder into an in-app notification per person and drops the addresses of
people who asked for a daily digest or no e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Role, User
from ketenzicht.cases.models import Case
from ketenzicht.domain.case_states import CaseState
from ketenzicht.domain.deadlines import ReminderStage
from ketenzicht.meetings.models import ActionItem, Decision, ReminderKind, ReminderSent
from ketenzicht.norms.selectors import norms_lookup

logger = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True)
class Reminder:
    subject_type: str
    subject_id: str
    kind: str
    due_date: date
    recipients: tuple[str, ...]
    subject: str
    body: str
    # Path inside Ketenzicht the reminder is about (for the in-app notification).
    link: str = ""
    # Called once after the mail went out (e.g. to mark what a digest covered).
    on_sent: Callable[[], None] | None = field(default=None, compare=False)


def _afs(municipality_id: int) -> list[str]:
    users = User.objects.filter(
        is_active=True, organisation__municipality_id=municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS
    ).exclude(email="")
    return sorted({u.email for u in users})


def _conveners(meeting: Any) -> list[str]:
    """The ketenregisseurs who chair a regional or district table (the policy decides who)."""
    from ketenzicht.core import policy

    users = User.objects.filter(is_active=True, roles__role=Role.KETENREGISSEUR, organisation__region_id=meeting.region_id).exclude(email="")
    return sorted({u.email for u in users if policy.can(u, "meeting.chair", meeting)})


def site_link(path: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}"


def stage_word(stage: ReminderStage) -> str:
    return "is verlopen" if stage is ReminderStage.TE_LAAT else "nadert"


def _action_item_reminders(today: date) -> Iterable[Reminder]:
    items = ActionItem.objects.filter(done_at__isnull=True).select_related(
        "owner", "owner_organisation", "decision__item__case", "decision__item__sitting__meeting__municipality__region"
    )
    norms_for = norms_lookup()
    for item in items:
        meeting = item.decision.item.sitting.meeting
        # A regional table has no municipality: its region's norms (the meeting carries `region`).
        stage = norms_for(meeting.municipality if meeting.municipality_id else meeting).reminder_stage(item.due_date, today)
        if stage is None:
            continue
        if item.owner is not None and item.owner.is_active and item.owner.email:
            recipients = [item.owner.email]
        elif item.owner_organisation.email:
            recipients = [item.owner_organisation.email]
        else:
            # Nobody to address at the owner's side: the chair follows it up.
            recipients = _afs(meeting.municipality_id) if meeting.municipality_id else _conveners(meeting)
        if not recipients:
            continue
        agenda_item = item.decision.item
        reference = agenda_item.case.reference if agenda_item.case else agenda_item.case_reference
        reference = reference or "een thema van de tafel"  # a theme's own words stay out of mails
        yield Reminder(
            subject_type="actiepunt",
            subject_id=str(item.pk),
            kind=ReminderKind.ACTIEPUNT_TE_LAAT if stage is ReminderStage.TE_LAAT else ReminderKind.ACTIEPUNT_BIJNA,
            due_date=item.due_date,
            recipients=tuple(recipients),
            subject=f"Ketenzicht: actiepunt bij {reference} {stage_word(stage)} ({item.due_date:%d-%m-%Y})",
            link=reverse("meetings:deadlines"),
            body=(
                f"De uiterste datum van een actiepunt uit het {meeting.kind.name} {stage_word(stage)}: "
                f"{item.due_date:%d-%m-%Y}.\nSignaal: {reference}\n\n"
                f"Bekijk het actiepunt in Ketenzicht: {site_link(reverse('meetings:deadlines'))}\n"
            ),
        )


def _feedback_reminders(today: date) -> Iterable[Reminder]:
    decisions = (
        Decision.objects.filter(feedback_due__isnull=False)
        .filter(item__case__feedback_at__isnull=True, item__case__feedback_impossible_reason="")
        .exclude(item__case__state=CaseState.AFGESLOTEN)
        .select_related("item__case__municipality__region")
    )
    norms_for = norms_lookup()
    for decision in decisions:
        case = decision.item.case
        stage = norms_for(case.municipality).reminder_stage(decision.feedback_due, today)
        recipients = _afs(case.municipality_id)
        if stage is None or not recipients:
            continue
        yield Reminder(
            subject_type="besluit",
            subject_id=str(decision.pk),
            kind=ReminderKind.TERUGKOPPELING_TE_LAAT if stage is ReminderStage.TE_LAAT else ReminderKind.TERUGKOPPELING_BIJNA,
            due_date=decision.feedback_due,
            recipients=tuple(recipients),
            subject=f"Ketenzicht: terugkoppeling aan de melder van {case.reference} {stage_word(stage)}",
            link=reverse("cases:detail", kwargs={"case_id": case.pk}),
            body=(
                f"Over signaal {case.reference} is besloten ({decision.label}). De terugkoppeling aan de "
                f"melder moet uiterlijk {decision.feedback_due:%d-%m-%Y} zijn vastgelegd.\n\n"
                f"Open het signaal: {site_link(reverse('cases:detail', kwargs={'case_id': case.pk}))}\n"
            ),
        )


def _assessment_reminders(today: date) -> Iterable[Reminder]:
    cases = Case.objects.filter(state=CaseState.ONTVANGEN, first_assessment_due__isnull=False).select_related(
        "municipality__region", "assigned_to"
    )
    norms_for = norms_lookup()
    for case in cases:
        stage = norms_for(case.municipality).reminder_stage(case.first_assessment_due, today)
        if stage is None:
            continue
        if case.assigned_to is not None and case.assigned_to.is_active and case.assigned_to.email:
            recipients = [case.assigned_to.email]
        else:
            recipients = _afs(case.municipality_id)
        if not recipients:
            continue
        yield Reminder(
            subject_type="signaal",
            subject_id=str(case.pk),
            kind=ReminderKind.BEOORDELING_TE_LAAT if stage is ReminderStage.TE_LAAT else ReminderKind.BEOORDELING_BIJNA,
            due_date=case.first_assessment_due,
            recipients=tuple(recipients),
            subject=f"Ketenzicht: eerste beoordeling van {case.reference} {stage_word(stage)}",
            link=reverse("cases:detail", kwargs={"case_id": case.pk}),
            body=(
                f"Signaal {case.reference} moet uiterlijk {case.first_assessment_due:%d-%m-%Y} een eerste "
                f"beoordeling hebben.\n\nOpen het signaal: {site_link(reverse('cases:detail', kwargs={'case_id': case.pk}))}\n"
            ),
        )


# Other apps add their deadlines here (the programme's actions), so every reminder goes through
# the same once-only claim and the same `send_reminders` run.
ReminderSource = Callable[[date], Iterable[Reminder]]
_SOURCES: list[ReminderSource] = []


def register_source(source: ReminderSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def reminders_due(today: date) -> list[Reminder]:
    extra = [r for source in _SOURCES for r in source(today)]
    return [*_action_item_reminders(today), *_feedback_reminders(today), *_assessment_reminders(today), *extra]


def _claim(reminder: Reminder, now: datetime) -> ReminderSent | None:
    key = {
        "subject_type": reminder.subject_type,
        "subject_id": reminder.subject_id,
        "kind": reminder.kind,
        "due_date": reminder.due_date,
    }
    try:
        with transaction.atomic():
            row, _ = ReminderSent.objects.get_or_create(**key, defaults={"recipients": list(reminder.recipients)})
    except IntegrityError:
        row = ReminderSent.objects.get(**key)
    claimed = (
        ReminderSent.objects.filter(pk=row.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(claimed_at=now, recipients=list(reminder.recipients))
    )
    return row if claimed == 1 else None


RecipientFilter = Callable[[Reminder, list[str]], list[str]]
_FILTERS: list[RecipientFilter] = []


def register_recipient_filter(func: RecipientFilter) -> None:
    if func not in _FILTERS:
        _FILTERS.append(func)


def send_once(reminder: Reminder, now: datetime | None = None) -> bool:
    """Send `reminder` unless it was sent (or is being sent) before; True when this call sent it.

    A mail that fails releases the claim, so a later run tries again; never twice.
    """
    now = now or timezone.now()
    row = _claim(reminder, now)
    if row is None:
        return False
    recipients = list(reminder.recipients)
    for recipient_filter in _FILTERS:
        recipients = recipient_filter(reminder, recipients)
    if recipients:
        try:
            send_mail(reminder.subject, reminder.body, None, recipients)
        except Exception:  # noqa: BLE001 - any mail failure: release the claim and retry next run
            ReminderSent.objects.filter(pk=row.pk).update(claimed_at=None)
            logger.exception("mail %s failed for %s %s", reminder.kind, reminder.subject_type, reminder.subject_id)
            return False
    ReminderSent.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    if reminder.on_sent is not None:
        reminder.on_sent()
    logger.info("mail %s sent for %s %s", reminder.kind, reminder.subject_type, reminder.subject_id)
    return True


def reminders_send(today: date | None = None, now: datetime | None = None) -> int:
    """Send every reminder that is due and not sent before; returns how many went out."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    return sum(1 for reminder in reminders_due(today) if send_once(reminder, now))
