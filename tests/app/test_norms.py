"""Region norms through one loader (issue 18 item 4): change a norm, see the deadline move.

Each test loads an edited copy of the shipped den-haag.yaml with `norms_load` (what
`load_norms`/`load_region` do) and checks the deadline a user sees, before and after.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers import services as barriers
from ketenzicht.cases import services as cases
from ketenzicht.domain.deadlines import NormsError, default_norms_path
from ketenzicht.domain.workdays import add_working_days
from ketenzicht.meetings.models import Decision
from ketenzicht.norms.selectors import norms_for, norms_for_region
from ketenzicht.norms.services import norms_load
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, report_signal

# Thursday 2 April 2026, 10:00 in Amsterdam: Good Friday (3 April) and Easter Monday follow.
BEFORE_EASTER = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


def _edited(tmp_path: Path, **changes: str) -> Path:
    """The shipped den-haag.yaml with `key: value` lines replaced."""
    text = default_norms_path("den-haag").read_text(encoding="utf-8")
    for key, value in changes.items():
        text, count = re.subn(rf"(?m)^(\s*{key}:).*$", rf"\g<1> {value}", text)
        assert count == 1, key
    path = tmp_path / "den-haag.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _signal(cast: Cast, now: datetime):  # noqa: ANN202
    case, _ = cases.case_create(actor=cast.chantal, now=now, data=cases.SignalInput(
        municipality=cast.zoeterwoude, description="Veel wisselende arbeidsmigranten.", location_address="Dorpsstraat 3",
        forms=["arbeid"]))
    return case


def test_first_assessment_deadline_moves_with_the_region_norm(cast: Cast, tmp_path: Path) -> None:
    received = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Monday
    assert _signal(cast, received).first_assessment_due == date(2026, 3, 16)  # five working days
    norms_load("den-haag", path=_edited(tmp_path, eerste_beoordeling_werkdagen="8"))
    assert _signal(cast, received).first_assessment_due == date(2026, 3, 19)
    # Lisse is in the same region: its new signals follow the same file.
    assert norms_for(cast.lisse).first_assessment_days == 8


def test_the_region_calendar_decides_which_days_count(cast: Cast, tmp_path: Path) -> None:
    # Good Friday is a working day in the shipped calendar, Easter Monday is not.
    assert _signal(cast, BEFORE_EASTER).first_assessment_due == date(2026, 4, 10)
    norms_load("den-haag", path=_edited(tmp_path, goede_vrijdag_vrij="true"))
    assert _signal(cast, BEFORE_EASTER).first_assessment_due == date(2026, 4, 13)


def test_effect_follow_up_deadline_moves_with_the_region_norm(cast: Cast, tmp_path: Path) -> None:
    ensure_models()
    case = cases.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    started = date(2026, 3, 2)

    def start() -> date:
        intervention = barriers.intervention_create(actor=cast.anouk, data=barriers.InterventionInput(
            municipality=cast.zoeterwoude, case=case, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
            organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), started_on=started))
        return intervention.effect_due

    assert start() == add_working_days(started, 20, cutoff=None) == date(2026, 3, 30)
    norms_load("den-haag", path=_edited(tmp_path, effect_interventie_werkdagen="30"))
    assert start() == date(2026, 4, 14)  # 30 working days; Easter Monday does not count


def test_feedback_deadline_after_a_table_decision_moves_with_the_region_norm(cast: Cast, tmp_path: Path) -> None:
    def decided() -> Decision:
        case = report_signal(cast.chantal, cast.zoeterwoude)
        for action in ("in_behandeling_nemen", "agenderen"):
            case = cases.case_transition(actor=cast.anouk, case=case, action=action)
        decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Geen aanwijzingen")
        return Decision.objects.get(item__case=case)

    first = decided()
    assert first.feedback_due == norms_for(cast.zoeterwoude).feedback_due(first.decided_at)
    norms_load("den-haag", path=_edited(tmp_path, terugkoppeling_werkdagen_na_besluit="3"))
    second = decided()
    assert second.feedback_due == add_working_days(second.decided_at, 3, calendar=norms_for(cast.zoeterwoude).calendar)
    assert second.feedback_due < first.feedback_due + timedelta(days=1)


def test_every_region_ships_a_norms_file_that_loads(db: None) -> None:
    for slug in ("den-haag", "noord-holland", "zeeland-west-brabant", "rotterdam"):
        norms = norms_load(slug)
        assert norms.regio == slug and norms.first_assessment_days > 0 and norms.effect_follow_up_days > 0
        assert norms_for_region(slug) == norms


def test_a_broken_norms_file_names_the_field_and_changes_nothing(cast: Cast, tmp_path: Path) -> None:
    before = norms_for(cast.zoeterwoude)
    with pytest.raises(NormsError, match="tijdzone"):
        norms_load("den-haag", path=_edited(tmp_path, tijdzone="Europe/Nergens"))
    assert norms_for(cast.zoeterwoude) == before
    assert _signal(cast, datetime(2026, 3, 9, 9, 0, tzinfo=UTC)).first_assessment_due == date(2026, 3, 16)
