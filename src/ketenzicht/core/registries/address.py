"""An address looked up in every configured source, as one answer for the AF.

- PDOK Locatieserver (`bag`, free): the official address, its BAG ids, the municipality;
- BAG API Individuele Bevragingen (`bag_ib`, key): also gebruiksdoel, oppervlakte, bouwjaar;
- Haal Centraal BRP bewoning (`brp`, the municipality's own connection): the number of
  people registered there (only counts).
At least one BAG source must be configured. All configured sources are asked; if any of them
fails the whole lookup fails (`RegistryUnavailable`), so the AF never takes over half an
answer without knowing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketenzicht.core.registries import bag, bag_ib, brp
from ketenzicht.domain.addresses import AddressQuery


@dataclass(frozen=True)
class AddressDetails:
    address_line: str
    municipality_name: str
    nummeraanduiding_id: str
    adresseerbaar_object_id: str
    object_type: str
    gebruiksdoelen: tuple[str, ...]
    oppervlakte: int | None
    bouwjaar: str
    occupancy: brp.Occupancy | None
    sources: tuple[str, ...]  # the sources that answered, as the user reads them
    use_source: bool  # a source that gives gebruiksdoel and oppervlakte was asked
    occupancy_source: bool  # a source that gives the number of occupants was asked


def address_lookup_configured() -> bool:
    return bag.bag_client() is not None or bag_ib.bag_ib_client() is not None


def company_lookup_configured() -> bool:
    from ketenzicht.core.registries.kvk import kvk_client

    return kvk_client() is not None


def lookup_address(query: AddressQuery, *, on: date) -> AddressDetails | None:
    """Everything the configured sources know of the address; None when no source knows it.

    Raises `RegistryUnavailable` when a configured source fails, `LookupError` when no BAG
    source is configured.
    """
    locator, detailed, residents = bag.bag_client(), bag_ib.bag_ib_client(), brp.bewoning_client()
    if locator is None and detailed is None:
        raise LookupError("no BAG source configured")
    located = locator.lookup_postcode(query.postcode, query.house_number, query.letter, query.addition) if locator else None
    obj = detailed.address(query.postcode, query.house_number, query.letter, query.addition) if detailed else None
    if located is None and obj is None:
        return None
    object_id = (obj.adresseerbaar_object_id if obj else "") or (located.adresseerbaar_object_id if located else "")
    occupancy = residents.occupancy(object_id, on) if residents is not None and object_id else None
    sources = [name for name, answered in ((bag.SOURCE, located), (bag_ib.SOURCE, obj)) if answered is not None]
    if occupancy is not None:
        sources.append(brp.SOURCE)
    return AddressDetails(
        address_line=obj.address_line if obj else located.address_line,  # type: ignore[union-attr]
        municipality_name=located.municipality_name if located else "",
        nummeraanduiding_id=(obj.nummeraanduiding_id if obj else "") or (located.nummeraanduiding_id if located else ""),
        adresseerbaar_object_id=object_id,
        object_type=obj.object_type if obj else "",
        gebruiksdoelen=obj.gebruiksdoelen if obj else (),
        oppervlakte=obj.oppervlakte if obj else None,
        bouwjaar=obj.bouwjaar if obj else "",
        occupancy=occupancy,
        sources=tuple(sources),
        use_source=detailed is not None,
        occupancy_source=residents is not None,
    )
