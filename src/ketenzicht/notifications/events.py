"""Events of other apps that notify people, received after their commit.

`cases/services.py` and `routing/services.py` send `cases.events.signal_received` and
`routing.events.referral_answered` with `transaction.on_commit` (ids only), so a rolled-back
intake or answer notifies nobody; `connect()` hooks the receivers below to them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketenzicht.accounts.models import Role, User
from ketenzicht.cases.models import Case
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import notify
from ketenzicht.routing.models import Referral


def afs_of(municipality_id: int) -> QuerySet[User]:
    """The active aandachtsfunctionarissen of a municipality."""
    return User.objects.filter(
        is_active=True, organisation__municipality_id=municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS
    ).distinct()


def signal_received(case_id: object, **kwargs: object) -> None:
    """A new signal: its municipality's AFs; acute danger or a minor is flagged and mailed at once."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return
    flags = []
    if case.acute_danger:
        flags.append(_("acuut gevaar"))
    if case.minor_involved == "ja":
        flags.append(_("minderjarige betrokken"))
    title = _("Nieuw signaal %(reference)s") % {"reference": case.reference}
    if flags:
        title = f"{title} ({', '.join(flags)})"
    notify(
        recipients=afs_of(case.municipality_id),
        kind=Kind.NIEUW_SIGNAAL,
        title=title,
        link=reverse("cases:detail", kwargs={"case_id": case.pk}),
        urgent=bool(flags),
        key=f"signaal:{case.pk}",
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


def connect() -> None:
    from ketenzicht.cases.events import signal_received as case_signal
    from ketenzicht.routing.events import referral_answered as referral_signal

    case_signal.connect(signal_received, dispatch_uid="ketenzicht.notifications.signal_received")
    referral_signal.connect(referral_answered, dispatch_uid="ketenzicht.notifications.referral_answered")
