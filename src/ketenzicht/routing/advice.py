"""One way to ask the routekaart for advice, shared by the API and the command.

Missing answers are not an error: the answer is the advice reachable so far plus
`openVragen`, the questions still open, in order. Only an unknown region, an unknown answer key
or a wrong value is refused. Phone and e-mail come from the region data where it has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import routekaart
from ketenzicht.routing import selectors
from ketenzicht.routing.guide import RegionContacts, with_region_contacts


class AdviceRequestError(ServiceError):
    """Wrong input, naming the field (`regio`, `antwoorden.<sleutel>`)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.field = field


def advice_json(regio: str, antwoorden: Mapping[str, Any]) -> dict[str, Any]:
    """The advice as contract JSON: ``{"regio", "versie", "advies": [...], "pad": [...], "openVragen": [...]}``."""
    if not isinstance(antwoorden, Mapping):
        raise AdviceRequestError("antwoorden", "ongeldige-antwoorden", "antwoorden moeten een JSON-object zijn")
    unknown = [key for key in antwoorden if key not in routekaart.ANTWOORD_SLEUTELS]
    if unknown:
        raise AdviceRequestError(
            f"antwoorden.{unknown[0]}",
            "onbekende-sleutel",
            f"onbekende antwoordsleutel '{unknown[0]}' (toegestaan: {', '.join(routekaart.ANTWOORD_SLEUTELS)})",
        )
    try:
        route_map, _version = selectors.active_route_map(regio)
    except routekaart.RoutekaartInputError as exc:
        raise AdviceRequestError("regio", "onbekende-regio", str(exc)) from exc
    try:
        advice = routekaart.advise_partial(route_map, antwoorden)
    except routekaart.RoutekaartInputError as exc:
        named = next((k for k in routekaart.ANTWOORD_SLEUTELS if f"'{k}'" in str(exc)), "")
        raise AdviceRequestError(f"antwoorden.{named}" if named else "antwoorden", "ongeldig-antwoord", str(exc)) from exc
    body = {"regio": route_map.regio, **advice.to_json()}
    return with_region_contacts(body, RegionContacts(route_map.regio, route_map))
