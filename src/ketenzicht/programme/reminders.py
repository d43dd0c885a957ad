"""Reminders for actions of the programme: a deadline near or passed, to whoever answers for it.

Sent through the meetings reminders (one claim-once table, one `send_reminders` run). The
person named responsible gets it; without one, whoever created the programme. A mail names the
action's number, the programme and the date, with a link; never the action's text (people type
names there) — in line with every other mail of Ketenzicht. Deadlines that had passed before
the action was entered (an imported table of earlier years) do not send anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from ketenzicht.domain.deadlines import ReminderStage, load_norms
from ketenzicht.meetings.models import ReminderKind
from ketenzicht.meetings.reminders import Reminder, site_link, stage_word
from ketenzicht.programme.models import Action, ActionOccurrence

HORIZON = timedelta(days=31)  # reminders start days before a deadline; later ones need no look yet


def _recipient(action: Action) -> list[str]:
    for person in (action.owner_user, action.programme.created_by):
        if person is not None and person.is_active and person.email:
            return [person.email]
    return []


def _reminder(action: Action, due: date, stage: ReminderStage, subject_id: str) -> Reminder | None:
    recipients = _recipient(action)
    if not recipients:
        return None
    label = f"actie {action.number}" if action.number else "een actie"
    return Reminder(
        subject_type="programma-actie",
        subject_id=subject_id,
        kind=ReminderKind.PROGRAMMA_TE_LAAT if stage is ReminderStage.TE_LAAT else ReminderKind.PROGRAMMA_BIJNA,
        due_date=due,
        recipients=tuple(recipients),
        subject=f"Ketenzicht: {label} uit {action.programme.name} {stage_word(stage)} ({due:%d-%m-%Y})",
        body=(
            f"De datum van {label} uit het actieprogramma '{action.programme.name}' {stage_word(stage)}: {due:%d-%m-%Y}.\n\n"
            f"Werk de stand bij of vink de actie af: {site_link(reverse('programme:action', kwargs={'action_id': action.pk}))}\n"
        ),
    )


def programme_reminders(today: date) -> Iterable[Reminder]:
    norms: dict[str, object] = {}

    def stage_for(action: Action, due: date) -> ReminderStage | None:
        if due < timezone.localdate(action.created_at):
            return None  # a deadline that passed before the action was in Ketenzicht (an imported history)
        slug = action.programme.region.slug
        if slug not in norms:
            norms[slug] = load_norms(slug)
        return norms[slug].reminder_stage(due, today)  # type: ignore[attr-defined]

    related = ("programme__region", "programme__created_by", "owner_user")
    for action in Action.objects.filter(recurring=False, done_on__isnull=True, due_date__isnull=False, due_date__lte=today + HORIZON).select_related(*related):
        stage = stage_for(action, action.due_date)
        if stage is not None and (reminder := _reminder(action, action.due_date, stage, str(action.pk))):
            yield reminder
    occurrences = ActionOccurrence.objects.filter(done_on__isnull=True, due_date__lte=today + HORIZON).select_related(
        *(f"action__{r}" for r in related)
    )
    for occurrence in occurrences:
        stage = stage_for(occurrence.action, occurrence.due_date)
        if stage is not None and (reminder := _reminder(occurrence.action, occurrence.due_date, stage, f"keer-{occurrence.pk}")):
            yield reminder
