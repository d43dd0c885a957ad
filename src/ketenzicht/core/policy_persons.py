"""Policy rules of persons and the estimate (issue 15), split out of core/policy.py for size.

Registered in the one rule table of `core.policy` (imported at its end), so `policy.can` and
`policy.require` stay the single entry point.

A partner's gegevensleverancier (data steward) encodes the partner's registrations in the
browser and delivers them for the partner's own sources; a partner system does the same
through the API. Which organisation kinds deliver which monitor source is fixed here. The
persons and the estimate of a region are the ketenregisseur's of that region, read with a
session and a second factor (never with a token); linkage runs as the system actor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ketenzicht.accounts.models import OrganisationKind, Role
from ketenzicht.core.policy import rule, system_rule

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User

DELIVERING_KINDS: dict[str, frozenset[str]] = {
    "politie": frozenset({OrganisationKind.POLITIE_AVIM}),
    "zorgcoordinator-shop": frozenset({OrganisationKind.ZORGCOORDINATOR}),
    "zorgcoordinator-overig": frozenset({OrganisationKind.ZORGCOORDINATOR}),
    "nla": frozenset({OrganisationKind.NLA}),
    "comensha": frozenset({OrganisationKind.COMENSHA}),
    "overig": frozenset(set(OrganisationKind.values) - {OrganisationKind.GEMEENTE}),
}


def _delivers(user: User) -> bool:
    return user.has_role(Role.GEGEVENSLEVERANCIER, Role.PARTNERSYSTEEM) and user.organisation is not None


@rule("monitor.deliver")
def _monitor_deliver(user: User, source: Any) -> bool:
    """Deliver registrations for `source` (a monitor Source): only the partner's own kind."""
    if not _delivers(user):
        return False
    if source is None:
        return True
    return user.organisation.kind in DELIVERING_KINDS.get(getattr(source, "slug", ""), frozenset())


rule("persons.encode")(lambda user, obj: user.has_role(Role.GEGEVENSLEVERANCIER) and user.organisation is not None)


@rule("persons.view")
def _persons_view(user: User, region: Any) -> bool:
    """Persons and the estimate of a region: its ketenregisseur, nobody else."""
    if not user.has_role(Role.KETENREGISSEUR):
        return False
    own = user.organisation
    if region is None:
        return own is not None and own.region_id is not None
    return own is not None and own.region_id is not None and own.region_id == getattr(region, "pk", None)


# Linkage is the system actor's job only (the linkage task after an import, persons.linkage.JOB);
# no person links by hand.
rule("persons.link")(lambda user, obj: False)
system_rule("persons.link", jobs={"koppeling"})


@rule("persons.linkage_status")
def _linkage_status(user: User, region: Any) -> bool:
    """Whether the region's linkage is running (no figures): its ketenregisseur and data stewards."""
    if not user.has_role(Role.KETENREGISSEUR, Role.GEGEVENSLEVERANCIER):
        return False
    own = user.organisation
    if own is None or own.region_id is None:
        return False
    return region is None or own.region_id == getattr(region, "pk", None)
