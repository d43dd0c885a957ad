"""Events of other apps that notify people, received after their commit.

`cases/services.py` and `routing/services.py` send `cases.events.signal_received` and
`routing.events.referral_answered` with `transaction.on_commit` (ids only), so a rolled-back
intake or answer notifies nobody; `connect()` hooks the receivers below to them. A new signal
(`cases.events.signal_received`) is handed to the task worker by intake (`intake/tasks.py`), which
calls `services.new_signal_notify` there; the others are written at once.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases.models import Case, ContactRequest, ReporterQuestion
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import afs_of, notify
from ketenzicht.routing.models import Referral


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
    from ketenzicht.routing.events import referral_answered as referral_signal

    answer_signal.connect(reporter_answered, dispatch_uid="ketenzicht.notifications.reporter_answered")
    requested_signal.connect(contact_requested, dispatch_uid="ketenzicht.notifications.contact_requested")
    answered_signal.connect(contact_answered, dispatch_uid="ketenzicht.notifications.contact_answered")
    transfer_signal.connect(case_transferred, dispatch_uid="ketenzicht.notifications.case_transferred")
    referral_signal.connect(referral_answered, dispatch_uid="ketenzicht.notifications.referral_answered")
