"""Events of other apps that notify people, received after their commit.

`cases/services.py` and `routing/services.py` send `cases.events.signal_received` and
`routing.events.referral_answered` with `transaction.on_commit` (ids only), so a rolled-back
intake or answer notifies nobody; `connect()` hooks the receivers below to them. A new signal is
handed to the task worker (`tasks.new_signal_task`), the others are written at once.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketenzicht.accounts.models import Municipality, Role, User
from ketenzicht.cases.models import Case, ContactRequest, ReporterQuestion
from ketenzicht.notifications.models import Kind, Notification
from ketenzicht.notifications.services import notify
from ketenzicht.routing.models import Referral


def afs_of(municipality_id: int) -> QuerySet[User]:
    """The active aandachtsfunctionarissen of a municipality."""
    return User.objects.filter(
        is_active=True, organisation__municipality_id=municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS
    ).distinct()


def signal_received(case_id: object, **kwargs: object) -> None:
    """A new signal (its transaction committed): the worker tells the AFs (`tasks.new_signal_task`).

    The request only enqueues the task (one insert); building the notification and mailing it
    run in the worker, so neither the statements nor the mail server slow an intake down.
    """
    from ketenzicht.notifications.tasks import new_signal_task

    new_signal_task.enqueue(str(case_id))


def new_signal_notify(case_id: object) -> list[Notification]:
    """A new signal: its municipality's AFs; acute danger or a minor is flagged and mailed at once."""
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


def case_transferred(case_id: object, from_municipality_id: object, **kwargs: object) -> None:
    """A signal handed over from another municipality: the receiving municipality's AFs (issue 14)."""

    case = Case.objects.filter(pk=case_id).first()
    sender = Municipality.objects.filter(pk=from_municipality_id).first()
    if case is None or sender is None:
        return
    notify(
        recipients=afs_of(case.municipality_id),
        kind=Kind.NIEUW_SIGNAAL,
        title=_("Signaal %(reference)s overgedragen door gemeente %(municipality)s")
        % {"reference": case.reference, "municipality": sender.name},
        link=reverse("cases:detail", kwargs={"case_id": case.pk}),
        urgent=case.acute_danger or case.minor_involved == "ja",
        key=f"overdracht:{case.pk}:{case.municipality_id}",
    )


def contact_requested(request_id: object, **kwargs: object) -> None:
    """A hit elsewhere in the region: the AFs of the municipality that has the earlier signal."""

    request = ContactRequest.objects.select_related("from_case__municipality", "to_case").filter(pk=request_id).first()
    if request is None or request.to_case is None:
        return
    notify(
        recipients=afs_of(request.to_municipality_id),
        kind=Kind.TREFFER,
        title=_("Gemeente %(municipality)s vraagt contact over een treffer op signaal %(reference)s")
        % {"municipality": request.from_case.municipality.name, "reference": request.to_case.reference},
        link=reverse("cases:contact_answer", kwargs={"request_id": request.pk}),
        key=f"contactverzoek:{request.pk}",
    )


def contact_answered(request_id: object, **kwargs: object) -> None:
    """The other AF answered: whoever asked, else the asking municipality's AFs."""

    request = ContactRequest.objects.select_related("from_case", "requested_by", "to_municipality").filter(pk=request_id).first()
    if request is None:
        return
    afs = afs_of(request.from_case.municipality_id)
    asker = [request.requested_by] if request.requested_by is not None and afs.filter(pk=request.requested_by_id).exists() else []
    title = (
        _("Gemeente %(municipality)s heeft gedeeld over de treffer bij %(reference)s")
        if request.outcome == "gedeeld"
        else _("Gemeente %(municipality)s deelt niet over de treffer bij %(reference)s")
    )
    notify(
        recipients=asker or afs,
        kind=Kind.TREFFER,
        title=title % {"municipality": request.to_municipality.name, "reference": request.from_case.reference},
        link=reverse("cases:contact_requests"),
        key=f"contactantwoord:{request.pk}",
    )


_ANSWERS = {
    "accepteren": gettext_noop("heeft de doorverwijzing bij %(reference)s geaccepteerd"),
    "afwijzen": gettext_noop("heeft de doorverwijzing bij %(reference)s afgewezen"),
    "afronden": gettext_noop("heeft de doorverwijzing bij %(reference)s afgerond, met terugkoppeling"),
    "tussentijds_terugkoppelen": gettext_noop("heeft tussentijds teruggekoppeld over %(reference)s"),
}


def referral_answered(referral_id: object, action: str, **kwargs: object) -> None:
    """A partner answered a referral: whoever sent it, else the municipality's AFs."""
    if action not in _ANSWERS:
        return
    referral = Referral.objects.select_related("organisation", "case", "sent_by", "created_by").filter(pk=referral_id).first()
    if referral is None:
        return
    afs = afs_of(referral.case.municipality_id)
    senders = [u for u in (referral.sent_by, referral.created_by) if u is not None and afs.filter(pk=u.pk).exists()]
    verb = _(_ANSWERS[action]) % {"reference": referral.case_reference}
    notify(
        recipients=senders or afs,
        kind=Kind.DOORVERWIJZING_ANTWOORD,
        title=f"{referral.organisation.name} {verb}",
        link=reverse("routing:referral_detail", kwargs={"referral_id": referral.pk}),
        key=f"doorverwijzing:{referral.pk}:{action}",
    )


def reporter_answered(question_id: object, **kwargs: object) -> None:
    """An anonymous reporter answered a question: whoever asked it, else the municipality's AFs."""
    question = ReporterQuestion.objects.select_related("case", "asked_by").filter(pk=question_id).first()
    if question is None:
        return
    afs = afs_of(question.case.municipality_id)
    asker = [question.asked_by] if question.asked_by is not None and afs.filter(pk=question.asked_by.pk).exists() else []
    notify(
        recipients=asker or afs,
        kind=Kind.MELDER_ANTWOORD,
        title=_("De melder heeft uw vraag bij %(reference)s beantwoord") % {"reference": question.case.reference},
        link=reverse("cases:detail", kwargs={"case_id": question.case_id}) + "#h-vragen",
        key=f"melder-antwoord:{question.pk}",
    )


def connect() -> None:
    from ketenzicht.cases.events import case_transferred as transfer_signal
    from ketenzicht.cases.events import contact_answered as answered_signal
    from ketenzicht.cases.events import contact_requested as requested_signal
    from ketenzicht.cases.events import reporter_answered as answer_signal
    from ketenzicht.cases.events import signal_received as case_signal
    from ketenzicht.routing.events import referral_answered as referral_signal

    case_signal.connect(signal_received, dispatch_uid="ketenzicht.notifications.signal_received")
    answer_signal.connect(reporter_answered, dispatch_uid="ketenzicht.notifications.reporter_answered")
    requested_signal.connect(contact_requested, dispatch_uid="ketenzicht.notifications.contact_requested")
    answered_signal.connect(contact_answered, dispatch_uid="ketenzicht.notifications.contact_answered")
    transfer_signal.connect(case_transferred, dispatch_uid="ketenzicht.notifications.case_transferred")
    referral_signal.connect(referral_answered, dispatch_uid="ketenzicht.notifications.referral_answered")
