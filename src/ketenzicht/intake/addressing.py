"""Which municipality a reported address lies in (for routing a report to the right AF)."""

from __future__ import annotations

from ketenzicht.accounts.models import Municipality
from ketenzicht.core.registries import RegistryUnavailable
from ketenzicht.core.registries.bag import bag_client


def municipality_for_address(address: str, fallback: Municipality | None) -> Municipality | None:
    """The municipality of `address` according to the BAG, else `fallback`.

    The fallback (the municipality the reporter chose) wins whenever the BAG cannot answer:
    adapter disabled, registry down or slow, no match, or a code not in our municipality
    table. A registry outage must never stop or misroute a report.
    """
    client = bag_client()
    if client is None or not address.strip():
        return fallback
    try:
        match = client.lookup(address)
    except RegistryUnavailable:
        return fallback
    if match is None:
        return fallback
    return Municipality.objects.filter(cbs_code=match.municipality_code).first() or fallback
