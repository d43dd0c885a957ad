"""Sharing profiles: which groups of case fields may go to which kind of chain partner.

Every hand-over of a signal (a doorverwijzing) follows a profile per kind of recipient
(``politie-avim``, ``nla``, ``zorgcoordinator`` ...): the field groups that may be shared, on
which legal basis and for which purpose. The profiles are data (``data/sharing_profiles.yaml``),
reviewed by the privacy officer; this module loads and checks them and decides, for one
referral, what is shared and what is withheld.

The one exception the seeds name (000 §5.6.2): a zorgcoördinator receives no personal data
from the municipality, unless the victim consents or there is a vital interest of the victim.
A profile expresses this with ``bij_toestemming_of_vitaal_belang``: groups that are only
shared when the aandachtsfunctionaris records consent or a vital interest *with* a
justification. Everything not named in a profile is withheld: the default is not sharing.

No Django here: the referral service, the PDF and the partner inbox all ask :func:`decide`
and :func:`filter_groups`, so the rule cannot differ between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "FIELD_GROUPS",
    "PERSONAL_GROUPS",
    "Override",
    "SharingDecision",
    "SharingError",
    "SharingInputError",
    "SharingProfile",
    "decide",
    "default_profiles_path",
    "filter_groups",
    "load_profiles",
    "parse_profiles",
]

# The field groups of a case file, in the order a recipient reads them.
FIELD_GROUPS: tuple[str, ...] = (
    "signaal",  # what was seen, when, forms of exploitation, minor involved, acute danger
    "locatie",  # address and description of the place
    "personen",  # names, birth dates, nationality and descriptions of the people involved
    "bedrijf",  # company name and KvK number
    "verrijking",  # the AF's enrichment notes and earlier sanctions
    "melder",  # who reported (organisation, name, contact details)
    "bijlagen",  # attachments (photos and documents may show people)
)
# Groups that (may) identify a person: never to a zorgcoördinator without consent/vital interest.
PERSONAL_GROUPS: frozenset[str] = frozenset({"personen", "melder", "bijlagen", "locatie"})

_PROFILE_FIELDS = {
    "soort",
    "naam",
    "velden",
    "bij_toestemming_of_vitaal_belang",
    "grondslag",
    "grondslag_uitzondering",
    "doel",
    "toelichting",
}
_REQUIRED = {"soort", "naam", "velden", "grondslag", "doel"}


class SharingError(Exception):
    """The profiles file is malformed; the message names the profile and the field."""


class SharingInputError(ValueError):
    """A sharing request is wrong (unknown kind, override without justification ...)."""


class Override(StrEnum):
    """Why a profile's protected groups may go after all (AVG art. 6(1)(a) / 6(1)(d))."""

    GEEN = ""
    TOESTEMMING = "toestemming"
    VITAAL_BELANG = "vitaal_belang"


@dataclass(frozen=True)
class SharingProfile:
    soort: str
    naam: str
    velden: tuple[str, ...]
    bij_toestemming_of_vitaal_belang: tuple[str, ...]
    grondslag: str
    doel: str
    grondslag_uitzondering: str = ""
    toelichting: str = ""

    def withheld_always(self) -> tuple[str, ...]:
        allowed = set(self.velden) | set(self.bij_toestemming_of_vitaal_belang)
        return tuple(g for g in FIELD_GROUPS if g not in allowed)


@dataclass(frozen=True)
class SharingDecision:
    """What goes to one recipient: shared and withheld groups, the basis and any override."""

    soort: str
    shared: tuple[str, ...]
    withheld: tuple[str, ...]
    grondslag: str
    doel: str
    override: Override = Override.GEEN
    override_reden: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "soort": self.soort,
            "gedeeld": list(self.shared),
            "achtergehouden": list(self.withheld),
            "grondslag": self.grondslag,
            "doel": self.doel,
            "uitzondering": self.override.value,
            "uitzonderingReden": self.override_reden,
        }


def default_profiles_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "sharing_profiles.yaml"


def load_profiles(path: str | Path | None = None) -> Mapping[str, SharingProfile]:
    """Read and check the profiles file; raises :class:`SharingError` naming the profile."""
    path = Path(path) if path is not None else default_profiles_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SharingError(f"{path.name}: kan bestand niet lezen ({exc})") from exc
    return parse_profiles(text, path.name)


def _text(value: Any, where: str, name: str, *, required: bool) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SharingError(f"{where}: veld '{name}' ontbreekt of is leeg")
        return ""
    if not isinstance(value, str):
        raise SharingError(f"{where}: veld '{name}' moet tekst zijn")
    return " ".join(value.split())


def _groups(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SharingError(f"{where}: '{name}' moet een lijst met veldgroepen zijn")
    unknown = [v for v in value if v not in FIELD_GROUPS]
    if unknown:
        raise SharingError(
            f"{where}: onbekende veldgroep in '{name}': {', '.join(unknown)} "
            f"(bekend: {', '.join(FIELD_GROUPS)})"
        )
    return tuple(g for g in FIELD_GROUPS if g in value)


def parse_profiles(text: str, bestand: str = "sharing_profiles.yaml") -> Mapping[str, SharingProfile]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SharingError(f"{bestand}: geen geldige YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("profielen"), list):
        raise SharingError(f"{bestand}: verwacht een mapping met een lijst 'profielen'")
    profiles: dict[str, SharingProfile] = {}
    for index, entry in enumerate(raw["profielen"]):
        if not isinstance(entry, dict):
            raise SharingError(f"{bestand}: profiel {index + 1} moet een mapping zijn")
        soort = entry.get("soort")
        where = f"{bestand}: profiel '{soort or index + 1}'"
        unknown = sorted(set(map(str, entry)) - _PROFILE_FIELDS)
        if unknown:
            raise SharingError(f"{where}: onbekend veld: {', '.join(unknown)}")
        missing = sorted(_REQUIRED - set(entry))
        if missing:
            raise SharingError(f"{where}: verplicht veld ontbreekt: {', '.join(missing)}")
        soort = _text(soort, where, "soort", required=True)
        if soort in profiles:
            raise SharingError(f"{where}: komt dubbel voor")
        velden = _groups(entry.get("velden"), where, "velden")
        extra = _groups(
            entry.get("bij_toestemming_of_vitaal_belang"), where, "bij_toestemming_of_vitaal_belang"
        )
        overlap = sorted(set(velden) & set(extra))
        if overlap:
            raise SharingError(
                f"{where}: veldgroep staat zowel in 'velden' als in "
                f"'bij_toestemming_of_vitaal_belang': {', '.join(overlap)}"
            )
        uitzondering = _text(
            entry.get("grondslag_uitzondering"), where, "grondslag_uitzondering", required=bool(extra)
        )
        profiles[soort] = SharingProfile(
            soort=soort,
            naam=_text(entry.get("naam"), where, "naam", required=True),
            velden=velden,
            bij_toestemming_of_vitaal_belang=extra,
            grondslag=_text(entry.get("grondslag"), where, "grondslag", required=True),
            grondslag_uitzondering=uitzondering,
            doel=_text(entry.get("doel"), where, "doel", required=True),
            toelichting=_text(entry.get("toelichting"), where, "toelichting", required=False),
        )
    return MappingProxyType(profiles)


def decide(
    profiles: Mapping[str, SharingProfile],
    soort: str,
    override: Override | str = Override.GEEN,
    override_reden: str = "",
) -> SharingDecision:
    """The groups that may go to a recipient of kind ``soort``, and the legal basis.

    An override (consent or vital interest) needs a justification and only unlocks the
    profile's ``bij_toestemming_of_vitaal_belang`` groups; an override on a profile without
    such groups is refused, because it would record an exception that changes nothing.
    """
    profile = profiles.get(soort)
    if profile is None:
        raise SharingInputError(
            f"geen deelprofiel voor soort ontvanger '{soort}': er mag niets worden gedeeld"
        )
    try:
        override = Override(override or "")
    except ValueError:
        raise SharingInputError(
            f"onbekende uitzondering '{override}' (toegestaan: toestemming, vitaal_belang)"
        ) from None
    reden = " ".join(override_reden.split())
    if override is not Override.GEEN:
        if not profile.bij_toestemming_of_vitaal_belang:
            raise SharingInputError(
                f"het deelprofiel '{soort}' kent geen uitzondering op toestemming of vitaal belang"
            )
        if not reden:
            raise SharingInputError(
                "leg vast waarom er toestemming of een vitaal belang is (verantwoording verplicht)"
            )
    elif reden:
        raise SharingInputError("een verantwoording hoort alleen bij toestemming of vitaal belang")
    allowed = set(profile.velden)
    grondslag = profile.grondslag
    if override is not Override.GEEN:
        allowed |= set(profile.bij_toestemming_of_vitaal_belang)
        grondslag = f"{profile.grondslag} {profile.grondslag_uitzondering}".strip()
    return SharingDecision(
        soort=soort,
        shared=tuple(g for g in FIELD_GROUPS if g in allowed),
        withheld=tuple(g for g in FIELD_GROUPS if g not in allowed),
        grondslag=grondslag,
        doel=profile.doel,
        override=override,
        override_reden=reden,
    )


def filter_groups(data: Mapping[str, Any], shared: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Keep only the shared groups of a case extract (``{group: content}``).

    Unknown keys are dropped as well: a group that is not in :data:`FIELD_GROUPS` was never
    assessed by a profile, so it can never be shared.
    """
    allowed = set(shared) & set(FIELD_GROUPS)
    return {group: data[group] for group in FIELD_GROUPS if group in allowed and group in data}
