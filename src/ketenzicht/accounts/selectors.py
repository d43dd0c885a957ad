"""Reads of accounts. Which municipalities are on the platform: in a loaded region, with an active AF.

- **AF**: the municipality has at least one active aandachtsfunctionaris; its signals go to
  that AF's work queue.
- **REGIO**: the municipality lies in a loaded region but has no active AF; its signals wait in
  the region's queue for the ketenregisseur and beheerder (policy: `case.unrouted`), who are
  told of each new one.
- **BUITEN**: the municipality lies outside every loaded region; nobody here can act on a signal
  for it, so intake refuses it (the reporter is told where to report instead) and stores nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from ketenzicht.accounts.models import Municipality, Role


class Coverage(StrEnum):
    AF = "af"
    REGIO = "regio"
    BUITEN = "buiten"


def municipalities_with_af() -> QuerySet[Municipality]:
    return Municipality.objects.filter(
        organisations__users__is_active=True,
        organisations__users__roles__role=Role.AANDACHTSFUNCTIONARIS,
    ).distinct()


def has_af(municipality: Municipality) -> bool:
    return municipalities_with_af().filter(pk=municipality.pk).exists()


def outside_platform(municipality: Municipality) -> bool:
    """BUITEN without asking the database: outside every loaded region (no AF query needed)."""
    return municipality.region_id is None


def coverage(municipality: Municipality) -> Coverage:
    if outside_platform(municipality):
        return Coverage.BUITEN
    return Coverage.AF if has_af(municipality) else Coverage.REGIO
