"""Sharing profiles as a matrix: recipient kind × field group × consent/vital interest → shared or withheld.

The expectation is written out by hand from the privacy rules (000 §5.6.2), not read from the
data file, so a change to the file that widens sharing makes this test fail.
"""

from __future__ import annotations

import itertools

import pytest

from ketenzicht.domain import sharing

ALL = set(sharing.FIELD_GROUPS)
# kind → (shared without exception, shared additionally with consent or vital interest)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "politie-avim": ({"signaal", "locatie", "personen", "bedrijf", "verrijking", "bijlagen"}, set()),
    "nla": ({"signaal", "locatie", "personen", "bedrijf", "verrijking", "bijlagen"}, set()),
    "kmar": ({"signaal", "locatie", "personen", "bedrijf"}, set()),
    "om": ({"signaal", "locatie", "personen", "bedrijf", "verrijking", "bijlagen"}, set()),
    "riec": ({"signaal", "locatie", "personen", "bedrijf", "verrijking"}, set()),
    "heit": ({"signaal", "locatie", "bedrijf", "verrijking"}, set()),
    "odwh": ({"signaal", "locatie", "bedrijf"}, set()),
    "brandweer": ({"signaal", "locatie"}, set()),
    "belastingdienst": ({"signaal", "bedrijf"}, set()),
    "zorg-en-veiligheidshuis": ({"signaal", "locatie", "personen", "verrijking"}, set()),
    "veilig-thuis": ({"signaal", "locatie", "personen", "melder", "bijlagen"}, set()),
    "zorgcoordinator": ({"signaal"}, {"personen", "locatie", "bijlagen"}),
    "comensha": ({"signaal"}, {"personen"}),
    # Another municipality's AF, after a hit and on request (issue 14): no personal data of subjects.
    "gemeente": ({"signaal", "locatie", "bedrijf", "verrijking"}, set()),
}
OVERRIDES = [sharing.Override.GEEN, sharing.Override.TOESTEMMING, sharing.Override.VITAAL_BELANG]


@pytest.fixture(scope="module")
def profiles() -> dict[str, sharing.SharingProfile]:
    return dict(sharing.load_profiles())


def test_the_shipped_file_has_exactly_the_expected_kinds(profiles: dict[str, sharing.SharingProfile]) -> None:
    assert set(profiles) == set(EXPECTED)
    for profile in profiles.values():
        assert profile.grondslag and profile.doel, profile.soort


@pytest.mark.parametrize(
    ("kind", "group", "override"),
    list(itertools.product(sorted(EXPECTED), sharing.FIELD_GROUPS, OVERRIDES)),
)
def test_matrix(profiles: dict[str, sharing.SharingProfile], kind: str, group: str, override: sharing.Override) -> None:
    base, extra = EXPECTED[kind]
    if override and not extra:
        # An exception on a profile that has none would record an override that changes nothing.
        with pytest.raises(sharing.SharingInputError, match="kent geen uitzondering"):
            sharing.decide(profiles, kind, override, "Slachtoffer heeft ingestemd op 3 november.")
        return
    decision = sharing.decide(profiles, kind, override, "Slachtoffer heeft ingestemd op 3 november." if override else "")
    expected_shared = group in base or (bool(override) and group in extra)
    assert (group in decision.shared) is expected_shared
    assert (group in decision.withheld) is (not expected_shared)
    assert set(decision.shared) | set(decision.withheld) == ALL


@pytest.mark.parametrize("override", OVERRIDES)
def test_zorgcoordinator_never_gets_personal_data_without_a_justified_exception(
    profiles: dict[str, sharing.SharingProfile], override: sharing.Override
) -> None:
    if not override:
        decision = sharing.decide(profiles, "zorgcoordinator")
        assert not set(decision.shared) & {"personen", "melder", "bijlagen", "locatie"}
        assert "toestemming" not in decision.grondslag
        return
    with pytest.raises(sharing.SharingInputError, match="verantwoording verplicht"):
        sharing.decide(profiles, "zorgcoordinator", override, "   ")
    decision = sharing.decide(profiles, "zorgcoordinator", override, "Acuut medisch gevaar")
    assert "personen" in decision.shared and "melder" not in decision.shared
    assert "vitaal belang" in decision.grondslag and decision.override is override
    assert decision.to_json()["uitzonderingReden"] == "Acuut medisch gevaar"


def test_unknown_kind_shares_nothing(profiles: dict[str, sharing.SharingProfile]) -> None:
    # A municipality has its own profile since issue 14 (hit/no-hit between AFs).
    for kind in ("overig", "onbekend"):
        with pytest.raises(sharing.SharingInputError, match=f"'{kind}'"):
            sharing.decide(profiles, kind)


def test_unknown_override_and_justification_without_override_are_refused(profiles: dict[str, sharing.SharingProfile]) -> None:
    with pytest.raises(sharing.SharingInputError, match="onbekende uitzondering 'nood'"):
        sharing.decide(profiles, "zorgcoordinator", "nood", "x")
    with pytest.raises(sharing.SharingInputError, match="alleen bij toestemming"):
        sharing.decide(profiles, "zorgcoordinator", "", "toch een reden")


def test_filter_groups_keeps_only_shared_and_known_groups() -> None:
    data = {group: {"x": group} for group in sharing.FIELD_GROUPS} | {"geheim": {"x": 1}}
    assert set(sharing.filter_groups(data, ["signaal", "bedrijf", "geheim"])) == {"signaal", "bedrijf"}
    assert sharing.filter_groups(data, []) == {}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("profielen: [{soort: x, naam: X, velden: [signaal, adressen], grondslag: g, doel: d}]", "onbekende veldgroep in 'velden': adressen"),
        ("profielen: [{soort: x, naam: X, velden: [signaal], doel: d}]", "profiel 'x': verplicht veld ontbreekt: grondslag"),
        ("profielen: [{soort: x, naam: X, velden: [signaal], grondslag: g, doel: d, kleur: rood}]", "onbekend veld: kleur"),
        ("profielen: [{soort: x, naam: X, velden: [signaal], grondslag: g, doel: d}, {soort: x, naam: Y, velden: [], grondslag: g, doel: d}]", "profiel 'x': komt dubbel voor"),
        ("profielen: [{soort: x, naam: X, velden: [signaal], bij_toestemming_of_vitaal_belang: [personen], grondslag: g, doel: d}]", "grondslag_uitzondering"),
        ("profielen: [{soort: x, naam: X, velden: [personen], bij_toestemming_of_vitaal_belang: [personen], grondslag: g, grondslag_uitzondering: u, doel: d}]", "zowel in 'velden'"),
        ("profielen: {soort: x}", "lijst 'profielen'"),
        ("profielen: [", "geen geldige YAML"),
    ],
)
def test_malformed_profiles_are_rejected_naming_the_profile(text: str, named: str) -> None:
    with pytest.raises(sharing.SharingError, match=named.replace("(", r"\(").replace(")", r"\)")):
        sharing.parse_profiles(text, "test.yaml")
