"""Who may hold which role, and how a change of roles is carried out (issue 13 item 3).

Rules, in words:
- Nobody changes their own roles: a second beheerder does.
- Beheerder and privacy officer are never granted by one person: the grant waits until a second
  beheerder of the region confirms it (four eyes). Taking a role away is immediate.
- Changes of the privileged roles (beheerder, privacy officer, ketenregisseur, AF) are told to
  the privacy officers of the region.
- Some roles do not go together: whoever oversees access (privacy officer) does not also work in
  the signals (AF), or they would oversee themselves.
- The AF and the staff reporter (melder) work for a municipality; a ketenpartner for a partner.
- The system role belongs to the job account only.

A role request (the four-eyes grant) has its own lifecycle: `domain/lifecycles/role_request.py`.
Pure: no Django, no database; the accounts services apply what this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SYSTEM_ROLE = "systeem"
PERSON_ROLES = frozenset(
    {
        "melder",
        "aandachtsfunctionaris",
        "overlegdeelnemer",
        "ketenregisseur",
        "privacy_officer",
        "beheerder",
        "ketenpartner",
        "partnersysteem",
    }
)
PRIVILEGED = frozenset({"beheerder", "privacy_officer", "ketenregisseur", "aandachtsfunctionaris"})
FOUR_EYES = frozenset({"beheerder", "privacy_officer"})
INCOMPATIBLE = (frozenset({"privacy_officer", "aandachtsfunctionaris"}),)
MUNICIPAL_ONLY = frozenset({"aandachtsfunctionaris", "melder"})
PARTNER_ONLY = frozenset({"ketenpartner"})

LABELS = {
    "melder": "melder",
    "aandachtsfunctionaris": "aandachtsfunctionaris",
    "overlegdeelnemer": "overlegdeelnemer",
    "ketenregisseur": "ketenregisseur",
    "privacy_officer": "privacy officer",
    "beheerder": "beheerder",
    "ketenpartner": "ketenpartner",
    "partnersysteem": "partnersysteem (API)",
}


class RoleError(ValueError):
    """A change of roles that the rules refuse; the message is for the beheerder (Dutch)."""


@dataclass(frozen=True)
class RolePlan:
    grant: frozenset[str]  # granted now
    confirm: frozenset[str]  # waiting for a second beheerder
    revoke: frozenset[str]  # taken away now

    @property
    def privileged_changes(self) -> frozenset[str]:
        """Privileged roles that change now (for the privacy officers' notice)."""
        return (self.grant | self.revoke) & PRIVILEGED

    @property
    def empty(self) -> bool:
        return not (self.grant or self.confirm or self.revoke)


def plan_roles(
    *,
    current: Iterable[str],
    wanted: Iterable[str],
    pending: Iterable[str] = (),
    self_change: bool,
    municipal: bool,
) -> RolePlan:
    """What happens when a beheerder asks for `wanted` on a person who holds `current`.

    `pending` are roles already waiting for confirmation (asked again, they are not asked twice).
    `municipal`: the person works for a municipality's organisation.
    """
    current_set, wanted_set = frozenset(current), frozenset(wanted)
    if self_change and current_set != wanted_set:
        raise RoleError("U kunt uw eigen rollen niet wijzigen. Vraag een andere beheerder van uw regio.")
    if SYSTEM_ROLE in wanted_set:
        raise RoleError("De rol 'systeem' is van de taken van Ketenzicht zelf en kan niet worden toegekend.")
    unknown = wanted_set - PERSON_ROLES
    if unknown:
        raise RoleError(f"Onbekende rol: {', '.join(sorted(unknown))}.")
    for pair in INCOMPATIBLE:
        if pair <= wanted_set:
            first, second = sorted(LABELS[r] for r in pair)
            raise RoleError(
                f"De rollen {first} en {second} gaan niet samen: wie toezicht houdt op de toegang, "
                "werkt niet zelf in de signalen."
            )
    waiting = frozenset(pending) - wanted_set
    for pair in INCOMPATIBLE:
        if pair & waiting and pair & wanted_set and pair <= wanted_set | waiting:
            asked, now = LABELS[sorted(pair & waiting)[0]], LABELS[sorted(pair & wanted_set)[0]]
            raise RoleError(
                f"Voor deze persoon wacht nog een verzoek om de rol {asked}, die niet samengaat met {now}. "
                "Laat dat verzoek eerst intrekken of weigeren."
            )
    if not municipal and (wanted_set - current_set) & MUNICIPAL_ONLY:
        role = sorted((wanted_set - current_set) & MUNICIPAL_ONLY)[0]
        raise RoleError(f"De rol {LABELS[role]} hoort bij een medewerker van een gemeente.")
    if municipal and (wanted_set - current_set) & PARTNER_ONLY:
        raise RoleError("De rol ketenpartner hoort bij een medewerker van een partnerorganisatie, niet van een gemeente.")
    added = wanted_set - current_set
    return RolePlan(
        grant=added - FOUR_EYES,
        confirm=(added & FOUR_EYES) - frozenset(pending),
        revoke=current_set - wanted_set,
    )

