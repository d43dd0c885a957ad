"""Signals that would otherwise fall between the cracks: the region's queue and its notice.

A signal for a municipality of a loaded region without an active AF (accounts/selectors.py)
waits in that region's queue; the region's ketenregisseurs and beheerders are told at once by
e-mail (a link, the reference and the municipality; never what was reported), through the
reminder outbox's once-only claim (meetings/reminders.py). Should the mail fail, the next
`send_reminders` run sends it (`queue_notices` is registered as a reminder source).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Role, User
from ketenzicht.accounts.selectors import Coverage, coverage, municipalities_with_af
from ketenzicht.cases.models import Case
from ketenzicht.domain.lifecycles.case import CaseState
from ketenzicht.meetings.models import ReminderKind
from ketenzicht.meetings.reminders import Reminder, deliver, site_link

# How long an unsent notice is retried by the reminder run.
RETRY_DAYS = 14


def queue_recipients(region_id: int) -> tuple[str, ...]:
    users = User.objects.filter(
        is_active=True, organisation__region_id=region_id, roles__role__in=[Role.KETENREGISSEUR, Role.BEHEERDER]
    ).exclude(email="")
    return tuple(sorted({u.email for u in users}))


def _notice(case: Case) -> Reminder | None:
    recipients = queue_recipients(case.municipality.region_id)
    if not recipients:
        return None
    return Reminder(
        subject_type="signaal",
        subject_id=str(case.pk),
        kind=ReminderKind.REGIO_WACHTRIJ,
        due_date=timezone.localdate(case.created_at),
        recipients=recipients,
        subject=f"Ketenzicht: nieuw signaal {case.reference} in de regionale wachtrij",
        body=(
            f"Er is een nieuw signaal ({case.reference}) voor de gemeente {case.municipality.name}. Deze gemeente "
            "heeft in Ketenzicht geen aandachtsfunctionaris: het signaal wacht in de regionale wachtrij tot u het "
            "doorstuurt naar een gemeente met een aandachtsfunctionaris.\n\n"
            f"Open de regionale wachtrij: {site_link(reverse('unrouted:list'))}\n"
        ),
    )


def send_queue_notice(case_id: object) -> bool:
    case = Case.objects.select_related("municipality").filter(pk=case_id).first()
    if case is None or coverage(case.municipality) is not Coverage.REGIO:
        return False
    notice = _notice(case)
    return notice is not None and deliver(notice)


def after_intake(case: Case, created: bool) -> None:
    """Call after a signal is stored: a new one for a municipality without an AF is announced."""
    if created and coverage(case.municipality) is Coverage.REGIO:
        case_id = case.pk
        transaction.on_commit(lambda: send_queue_notice(case_id))


def queue_notices(today: date) -> Iterable[Reminder]:
    """Reminder source: notices of recent queue signals that have not gone out yet."""
    since = timezone.now() - timedelta(days=RETRY_DAYS)
    cases = (
        Case.objects.select_related("municipality")
        .filter(created_at__gte=since, municipality__region__isnull=False)
        .exclude(municipality__in=municipalities_with_af())
        .exclude(state=CaseState.AFGESLOTEN)
    )
    for case in cases:
        notice = _notice(case)
        if notice is not None:
            yield notice
