"""Where a person's organisation places them: the scopes the policy decides by (core/policy.py).

A gemeente's staff work in that municipality; a district-level organisation (a district's
coordinator or Zorg- en Veiligheidshuis) in its district; a regional organisation in its region;
a partner without a region only in its own organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User

@dataclass(frozen=True)
class Scope:
    """Where a person's organisation places them: municipality, district, region or organisation."""

    level: str  # "gemeente" | "district" | "regio" | "organisatie" | "geen"
    organisation_id: int | None = None
    municipality_id: int | None = None
    district_id: int | None = None
    region_id: int | None = None

    def covers(self, municipality: Any) -> bool:
        """True when the municipality lies within this scope."""
        if municipality is None:
            return False
        if self.level == "gemeente":
            return municipality.pk == self.municipality_id
        if self.level == "district":
            return municipality.district_id is not None and municipality.district_id == self.district_id
        if self.level == "regio":
            return municipality.region_id is not None and municipality.region_id == self.region_id
        return False

    def municipalities(self, prefix: str = "") -> Q:
        """A filter on a municipality foreign key (`prefix` like "case__municipality__")."""
        if self.level == "gemeente":
            return Q(**{f"{prefix}pk": self.municipality_id})
        if self.level == "district":
            return Q(**{f"{prefix}district_id": self.district_id})
        if self.level == "regio":
            return Q(**{f"{prefix}region_id": self.region_id})
        return Q(pk__in=[])

    def organisations(self) -> Q:
        """The organisations within this scope (a filter on Organisation)."""
        if self.level == "gemeente":
            return Q(municipality_id=self.municipality_id)
        if self.level == "district":
            return Q(district_id=self.district_id) | Q(municipality__district_id=self.district_id)
        if self.level == "regio":
            return Q(region_id=self.region_id)
        if self.level == "organisatie":
            return Q(pk=self.organisation_id)
        return Q(pk__in=[])


NO_SCOPE = Scope("geen")


def scope_of(user: User | Any) -> Scope:
    org = getattr(user, "organisation", None)
    if org is None:
        return NO_SCOPE
    if org.municipality_id is not None:
        municipality = org.municipality
        return Scope("gemeente", org.pk, municipality.pk, municipality.district_id, municipality.region_id)
    if org.district_id is not None:
        return Scope("district", org.pk, None, org.district_id, org.region_id)
    if org.region_id is not None:
        return Scope("regio", org.pk, None, None, org.region_id)
    return Scope("organisatie", org.pk)


def region_id_of(user: User | Any) -> int | None:
    """The region a person works in (their organisation's), whatever their scope within it."""
    org = getattr(user, "organisation", None)
    return org.region_id if org is not None else None
