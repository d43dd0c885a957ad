"""The routekaart's vocabulary, errors and plain data: maps, questions, advice.

Frozen dataclasses only; loading (``loading``), validation (``validation``) and walking
(``engine``, ``partial``) live in their own modules of this package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

# --- vocabulary of the contract -------------------------------------------------------

ROUTES: tuple[str, ...] = ("slachtoffer", "locatie")
UITBUITINGSVORMEN: tuple[str, ...] = ("seksueel", "arbeid", "crimineel", "orgaan", "onbekend")
ADVIES_SOORTEN: tuple[str, ...] = (
    "alarm-112",
    "politie-avim",
    "nla",
    "zorgcoordinator",
    "zorg-en-veiligheidshuis",
    "veilig-thuis",
    "riec",
    "heit",
    "meld-misdaad-anoniem",
    "signalenoverleg",
)
BOOL_SLEUTELS: tuple[str, ...] = (
    "acuutGevaar",
    "wilPolitieSpreken",
    "wilHulp",
    "ernstigeZorgenGeenGrip",
    "minderjarig",
    "meldcodeProfessional",
)
LIJST_SLEUTEL = "uitbuitingsvormen"
ROUTE_SLEUTEL = "route"
# Every key an answers mapping may hold; anything else is rejected so that a typo
# ("acuutgevaar") cannot silently fall through to "not answered".
ANTWOORD_SLEUTELS: tuple[str, ...] = (ROUTE_SLEUTEL, *BOOL_SLEUTELS, LIJST_SLEUTEL)
VRAAG_SLEUTELS: tuple[str, ...] = (*BOOL_SLEUTELS, LIJST_SLEUTEL)

JA, NEE = "ja", "nee"
KNOOP_VRAAG, KNOOP_UITKOMST = "vraag", "uitkomst"

# The route choice is not a node in the file (every map has the same two routes), but a
# guided page asks it like any other question and the stored path starts with it.
ROUTE_KNOOP = "route"
ROUTE_VRAAG = "Gaat het om een (mogelijk) identificeerbaar slachtoffer of om een locatie?"

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")

_TOP_VELDEN = {"regio", "naam", "versie", "geldig_vanaf", "bron", "partners", "routes", "knopen"}
_TOP_VERPLICHT = _TOP_VELDEN - {"naam"}
_PARTNER_VELDEN = {
    "id",
    "soort",
    "organisatie",
    "telefoon",
    "email",
    "website",
    "openingstijden",
    "notities",
    "bron",
    "regio_organisatie",
}
_ROUTE_VELDEN = {"start", "omschrijving"}
_VRAAG_VELDEN = {"id", "soort", "vraag", "toelichting", "sleutel", "bevat_een_van", "antwoorden"}
_UITKOMST_VELDEN = {"id", "soort", "advies", "daarna", "terugval", "toelichting"}
_ADVIES_VELDEN = {"partner", "reden"}


# --- errors ---------------------------------------------------------------------------


class RoutekaartError(Exception):
    """A map file is malformed; raised at load time, the message names file and node."""


class RoutekaartInputError(ValueError):
    """The caller's input (region, answer key or value) is wrong; the message names it."""


class MissingAnswerError(RoutekaartInputError):
    """An answer the walk needs is missing. ``question`` is what to ask next."""

    def __init__(self, question: Question) -> None:
        self.sleutel = question.sleutel
        self.question = question
        super().__init__(
            f"antwoord ontbreekt: '{question.sleutel}' is nodig bij knoop "
            f"'{question.knoop}' ({question.vraag})"
        )



def fail(
    path: Path, msg: str, knoop: str | None = None, *, owner: str | None = None
) -> RoutekaartError:
    """Build the error; ``knoop`` (or another ``owner`` such as a partner) is named first."""
    if owner is None and knoop is not None:
        owner = f"knoop '{knoop}'"
    where = f"{owner}: " if owner else ""
    return RoutekaartError(f"{path.name}: {where}{msg}")


# --- the map as plain data ------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    id: str
    soort: str
    organisatie: str
    telefoon: str = ""
    email: str = ""
    website: str = ""
    openingstijden: str = ""
    notities: str = ""
    bron: str = ""
    # Slug of the organisation in the region data (data/regions/<regio>.yaml) whose phone and
    # e-mail the application shows for this partner; empty: matched by kind where unambiguous.
    regio_organisatie: str = ""


@dataclass(frozen=True)
class OutcomeAdvice:
    partner: str
    reden: str


@dataclass(frozen=True)
class Node:
    """A question node (``soort == 'vraag'``) or an outcome node (``'uitkomst'``)."""

    id: str
    soort: str
    # question fields
    vraag: str = ""
    toelichting: str = ""
    sleutel: str = ""
    bevat_een_van: tuple[str, ...] = ()
    antwoorden: Mapping[str, str] = field(default_factory=dict)
    # outcome fields
    advies: tuple[OutcomeAdvice, ...] = ()
    daarna: str | None = None
    # A fallback outcome ("nothing else fits") only contributes when the walk has not
    # produced any advice before it; keeps the graph a tree instead of duplicating it.
    terugval: bool = False

    @property
    def is_vraag(self) -> bool:
        return self.soort == KNOOP_VRAAG

    def volgende(self) -> tuple[str, ...]:
        """Ids of the nodes this node can lead to (edges of the graph)."""
        if self.is_vraag:
            return tuple(self.antwoorden.values())
        return (self.daarna,) if self.daarna else ()


@dataclass(frozen=True)
class RouteInfo:
    naam: str
    start: str
    omschrijving: str = ""


@dataclass(frozen=True)
class RouteMap:
    regio: str
    naam: str
    versie: str
    geldig_vanaf: date
    bron: str
    partners: Mapping[str, Partner]
    routes: Mapping[str, RouteInfo]
    knopen: Mapping[str, Node]
    bestand: str = ""


# --- results --------------------------------------------------------------------------

Answer = str  # "ja" / "nee" on question nodes, the route name on the route step


@dataclass(frozen=True)
class PathStep:
    knoop: str
    antwoord: Answer

    def to_json(self) -> dict[str, str]:
        return {"knoop": self.knoop, "antwoord": self.antwoord}


@dataclass(frozen=True)
class Question:
    """The next thing to ask: ``opties`` lists allowed values; ``meerkeuze`` means a list."""

    knoop: str
    sleutel: str
    vraag: str
    toelichting: str = ""
    opties: tuple[str, ...] = (JA, NEE)
    meerkeuze: bool = False

    def to_json(self) -> dict[str, Any]:
        # `opties` are the values an answer takes: for a yes/no question that is true/false
        # (the page shows them as ja/nee), for the others the listed words.
        yes_no = self.opties == (JA, NEE)
        return {
            "sleutel": self.sleutel,
            "vraag": self.vraag,
            "toelichting": self.toelichting,
            "opties": [True, False] if yes_no else list(self.opties),
            "meerkeuze": self.meerkeuze,
        }


@dataclass(frozen=True)
class AdviceItem:
    soort: str
    organisatie: str
    telefoon: str
    email: str
    reden: str
    partner: Partner

    def to_json(self) -> dict[str, str]:
        # Exactly the contract fields; website/notities stay available on ``partner``.
        return {
            "soort": self.soort,
            "organisatie": self.organisatie,
            "telefoon": self.telefoon,
            "email": self.email,
            "reden": self.reden,
        }


@dataclass(frozen=True)
class Advice:
    """The advice of a walk. With incomplete answers (``advise_partial``) ``items`` holds what
    applies whatever the open answers turn out to be, and ``open_vragen`` what is still to ask."""

    regio: str
    versie: str
    route: str  # "" while the route choice is still open
    items: tuple[AdviceItem, ...]
    pad: tuple[PathStep, ...]
    open_vragen: tuple[Question, ...] = ()

    @property
    def volledig(self) -> bool:
        return not self.open_vragen

    def to_json(self) -> dict[str, Any]:
        return {
            "advies": [item.to_json() for item in self.items],
            "pad": [step.to_json() for step in self.pad],
            "versie": self.versie,
            "openVragen": [question.to_json() for question in self.open_vragen],
        }


