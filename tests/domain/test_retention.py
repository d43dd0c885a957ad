"""The retention table: validated as a whole, calendar arithmetic, the rule per variant."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from ketenzicht.domain.retention import (
    KINDS,
    RetentionTableError,
    Term,
    cutoff,
    parse_table,
    subtract,
)

SHIPPED = yaml.safe_load((Path(__file__).resolve().parents[2] / "src/ketenzicht/data/retention.yaml").read_text(encoding="utf-8"))


def test_the_shipped_table_names_every_kind_with_a_basis() -> None:
    table = parse_table(SHIPPED)
    assert {kind for kind, _ in table.rules} == set(KINDS)
    assert table.rule("case", "niet_bevestigd").term == Term(years=1)
    assert table.rule("case", "riec_casus").term.years > table.rule("case", "niet_bevestigd").term.years
    assert table.rule("case", "an-outcome-added-later") == table.rule("case", "default")
    assert table.rule("bibob_screening", "geweigerd").name == "bibob_screening.default: 5 jaar"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["kinds"].pop("audit_entry"), "geen termijn voor audit_entry"),
        (lambda d: d["kinds"].update(onbekend={"years": 1, "basis": "x"}), "onbekende soort onbekend"),
        (lambda d: d["kinds"]["sitting"].update(years=-1), "kinds.sitting.years"),
        (lambda d: d["kinds"]["sitting"].update(years="tien"), "kinds.sitting.years"),
        (lambda d: d["kinds"]["sitting"].update(basis=""), "kinds.sitting.basis"),
        (lambda d: d["kinds"]["notification"].update(years=0), "geen bewaartermijn"),
        (lambda d: d["kinds"]["case"]["variants"].pop("riec_casus"), "kinds.case.variants"),
    ],
)
def test_a_wrong_table_is_refused_naming_the_key(change, message) -> None:  # noqa: ANN001
    data = copy.deepcopy(SHIPPED)
    change(data)
    with pytest.raises(RetentionTableError, match=message):
        parse_table(data)


def test_calendar_terms() -> None:
    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert subtract(leap, Term(years=1)) == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert subtract(datetime(2026, 3, 31, tzinfo=UTC), Term(months=1)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert subtract(datetime(2026, 1, 2, tzinfo=UTC), Term(days=1)) == datetime(2026, 1, 1, tzinfo=UTC)
    rule = parse_table(SHIPPED).rule("staging_file")
    assert cutoff(datetime(2026, 1, 2, tzinfo=UTC), rule) == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_case_term_follows_the_outcome_the_case_was_closed_after() -> None:
    from ketenzicht.domain.lifecycles import case as case_lifecycle
    from ketenzicht.domain.retention import case_variant

    # Every decided outcome of the case lifecycle has its own term in the table.
    assert {s.value for s in case_lifecycle.DECIDED} <= set(KINDS["case"])
    assert case_variant("niet_bevestigd", referred=True) == "niet_bevestigd"
    assert case_variant("riec_casus", referred=False) == "riec_casus"
    # Closed by the AF from handling: referred when a partner finished a referral, else the default.
    assert case_variant("in_behandeling", referred=True) == "doorverwezen"
    assert case_variant("in_behandeling", referred=False) == "default"
    # History from before issue 18 names `doorverwezen` as a state.
    assert case_variant("doorverwezen", referred=False) == "doorverwezen"
    assert case_variant("", referred=False) == "default"
