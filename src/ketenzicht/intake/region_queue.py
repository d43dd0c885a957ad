"""Signals that would otherwise fall between the cracks: the region's queue and its notice.

A signal for a municipality of a loaded region without an active AF (accounts/selectors.py)
waits in that region's queue; the region's ketenregisseurs and beheerders are told at once with a
notification (`notifications.services.notify`, kind "niet_aangesloten"): in the app a title with
the reference and the municipality and a link to the queue; the e-mail that follows each person's
preference names only the kind of event and a link, never what was reported. The notification is
written by the task worker after the intake commits (`tasks.tell_new_signals_task`, enqueued on commit),
so a rolled-back intake tells nobody and the request does no notification work; once per signal
(its key); a mail that fails is sent by the next reminder run (notifications/delivery.py).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import Role, User
from ketenzicht.accounts.selectors import Coverage, coverage
from ketenzicht.cases.models import Case
from ketenzicht.notifications.models import Kind, Notification
from ketenzicht.notifications.services import notify


def queue_people(region_id: int) -> QuerySet[User]:
    """Who works the region's queue: its active ketenregisseurs and beheerders."""
    return User.objects.filter(
        is_active=True, organisation__region_id=region_id, roles__role__in=[Role.KETENREGISSEUR, Role.BEHEERDER]
    ).distinct()


def announce(case: Case) -> list[Notification]:
    """Tell the region's queue people of a signal that waits for them (once per signal)."""
    title = _("Nieuw signaal %(reference)s voor %(municipality)s in de regionale wachtrij") % {
        "reference": case.reference,
        "municipality": case.municipality.name,
    }
    return notify(
        recipients=queue_people(case.municipality.region_id),
        kind=Kind.NIET_AANGESLOTEN,
        title=title,
        link=reverse("unrouted:list"),
        key=f"wachtrij:{case.pk}",
    )


def after_intake(case: Case, created: bool) -> list[Notification]:
    """After a signal is stored (the task worker, `tasks.tell_signal`): a new one for a
    municipality without an AF is announced; returns the notifications written."""
    if created and coverage(case.municipality) is Coverage.REGIO:
        return announce(case)
    return []
