"""Policy rules across municipal borders (issue 14), split out of core/policy.py for size.

Registered in the one rule table of `core.policy` (imported at its end), so `policy.can` and
`policy.require` stay the single entry point and nothing here is called directly but the
visibility filters, which `core.policy` re-exports.

Transfer: the case moves to the receiving municipality, so `case.view` and every other case rule
follow it there; the sending municipality's AF reads only the trace (reference, date, to whom,
why), never the contents. Hit/no-hit: the AF of a case sees that another municipality has a
matching signal, or an open integral control or intervention (municipality, year, open or
closed), and may ask its AF for contact; that AF alone decides on the request and on what to share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from ketenzicht.accounts.models import Role
from ketenzicht.core.policy import _is_af_for, _is_af_of, rule

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User


def _af_municipality_id(user: User) -> Any:
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None:
        return None
    return org.municipality_id


@rule("case.transfer_trace")
def _transfer_trace(user: User, transfer: Any) -> bool:
    own = _af_municipality_id(user)
    return own is not None and (transfer is None or transfer.from_municipality_id == own)


def transfers_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The traces of the cases the user's municipality handed on."""
    own = _af_municipality_id(user)
    return queryset.none() if own is None else queryset.filter(from_municipality_id=own)


rule("case.contact_request")(lambda user, case: _is_af_for(user, case))


@rule("case.contact_answer")
def _contact_answer(user: User, request: Any) -> bool:
    """Only the AF of the municipality that holds the earlier signal answers a contact request."""
    own = _af_municipality_id(user)
    return own is not None and (request is None or request.to_municipality_id == own)


def contact_requests_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Requests the AF's municipality received (to answer) or sent (to read the answer)."""
    own = _af_municipality_id(user)
    if own is None:
        return queryset.none()
    return queryset.filter(Q(to_municipality_id=own) | Q(from_case__municipality_id=own))


# Hit/no-hit on the region's open integral controls and interventions: the owning municipality's
# AF (who plans and coordinates them, `barriers.work`) answers; the asker reads the answer.
rule("barriers.contact_answer")(lambda user, request: _is_af_of(user, request))


def work_contact_requests_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Requests about controls and interventions the AF's municipality received or sent."""
    own = _af_municipality_id(user)
    if own is None:
        return queryset.none()
    return queryset.filter(Q(municipality_id=own) | Q(from_case__municipality_id=own))
