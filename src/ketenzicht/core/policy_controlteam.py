"""Policy rules of the regional control team (issue 14 item 4), split out of core/policy.py for size.

Registered in the one rule table of `core.policy` (imported at its end), so `policy.can` and
`policy.require` stay the single entry point; the visibility filter is re-exported as `policy.*`.

A regional control spans several municipalities of one region (`IntegralControl.regional`, one
`ControlAddress` per address). The region's ketenregisseur plans it (`barriers.regional_plan`).
The AF of the lead municipality (`IntegralControl.municipality`) works on it as on any control
of the own municipality (`barriers.work`: cancel, follow-up interventions). The AF of every
participating municipality sees the control (`barriers.control_view`), and records and reads the
findings of the own municipality's addresses only (`barriers.address_findings`). The
ketenregisseur sees the control and its addresses without any findings: only whether they have
been recorded. Nobody outside the region sees anything of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from ketenzicht.accounts.models import Role
from ketenzicht.core.policy import _is_af_of, rule

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User


def _af_municipality_id(user: User) -> Any:
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None:
        return None
    return org.municipality_id


def _kr_region_id(user: User) -> Any:
    org = user.organisation
    if not user.has_role(Role.KETENREGISSEUR) or org is None:
        return None
    return org.region_id


@rule("barriers.regional_plan")
def _regional_plan(user: User, region: Any) -> bool:
    """`region`: the Region the control is planned in (None: may the user plan one at all)."""
    own = _kr_region_id(user)
    return own is not None and (region is None or getattr(region, "pk", region) == own)


def _participates(municipality_id: Any, control: Any) -> bool:
    if control.municipality_id == municipality_id:
        return True
    return bool(control.regional) and control.addresses.filter(municipality_id=municipality_id).exists()


@rule("barriers.control_view")
def _control_view(user: User, control: Any) -> bool:
    own = _af_municipality_id(user)
    region = _kr_region_id(user)
    if control is None:
        return own is not None or region is not None
    if own is not None and _participates(own, control):
        return True
    return region is not None and bool(control.regional) and control.municipality.region_id == region


@rule("barriers.address_findings")
def _address_findings(user: User, address: Any) -> bool:
    """`address`: a ControlAddress; only the AF of its municipality records or reads its findings."""
    return _is_af_of(user, address) and (address is None or bool(address.control.regional))


def controls_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Controls of the AF's municipality and the regional ones it takes part in; for the
    ketenregisseur, the regional controls of the own region."""
    own = _af_municipality_id(user)
    if own is not None:
        return queryset.filter(Q(municipality_id=own) | Q(regional=True, addresses__municipality_id=own)).distinct()
    region = _kr_region_id(user)
    if region is not None:
        return queryset.filter(regional=True, municipality__region_id=region)
    return queryset.none()
