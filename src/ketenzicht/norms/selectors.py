"""Which norms apply: the region's loaded norms, else its shipped file, else the defaults.

Every term, calendar and table of a region is read through `norms_for(municipality)` or
`norms_for_region(slug)`; nothing else reads the norms files (tests/app/test_norms.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery

from ketenzicht.domain.deadlines import Norms, load_norms, parse_norms
from ketenzicht.norms.models import RegionNorms

# Parsed norms by (slug, sha256): a changed row is parsed again, an unchanged one never.
_PARSED: dict[tuple[str, str], Norms] = {}


def forget(slug: str) -> None:
    for key in [k for k in _PARSED if k[0] == slug]:
        _PARSED.pop(key, None)


_ASK = object()


def norms_for_region(slug: str | None, digest: Any = _ASK) -> Norms:
    """`digest`: the region's RegionNorms.sha256 when the caller read it already (None: none loaded)."""
    if not slug:
        return Norms()
    if digest is _ASK:
        digest = RegionNorms.objects.filter(slug=slug).values_list("sha256", flat=True).first()
    if digest is None:
        # Not loaded (a fresh install before `load_region`): the shipped file, else the defaults.
        return load_norms(slug)
    cached = _PARSED.get((slug, digest))
    if cached is None:
        row = RegionNorms.objects.only("source").get(slug=slug)
        cached = _PARSED[(slug, digest)] = parse_norms(row.source, f"{slug}.yaml")
    return cached


def with_norms_digest(municipalities: Any) -> Any:
    """Municipalities (a queryset, the region read with them) annotated with the digest of their
    region's loaded norms, which `norms_for` then takes instead of asking (one query less)."""
    digest = RegionNorms.objects.filter(slug=OuterRef("region__slug")).values("sha256")[:1]
    return municipalities.select_related("region").annotate(norms_digest=Subquery(digest))


def norms_for(municipality: Any) -> Norms:
    """The norms of the region a municipality belongs to (defaults outside every region)."""
    region = municipality.region if getattr(municipality, "region_id", None) else None
    # The intake reads the digest with the municipality (intake/fast_api.py: one query less).
    return norms_for_region(region.slug if region is not None else None, getattr(municipality, "norms_digest", _ASK))


def norms_lookup() -> Callable[[Any], Norms]:
    """`norms_for`, asking the database once per region: for lists, whatever their length.

    Use one lookup per request or job; it does not see a norm file loaded while it lives.
    """
    seen: dict[str | None, Norms] = {}

    def lookup(municipality: Any) -> Norms:
        region = municipality.region if getattr(municipality, "region_id", None) else None
        slug = region.slug if region is not None else None
        if slug not in seen:
            seen[slug] = norms_for_region(slug)
        return seen[slug]

    return lookup
