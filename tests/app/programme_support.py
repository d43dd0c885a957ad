"""Shared set-up for the programme tests: a Zoeterwoude programme with a dated and a recurring action."""

from __future__ import annotations

from typing import Any

from ketenzicht.accounts.models import Municipality
from ketenzicht.programme import services
from ketenzicht.programme.models import Action, BoardReport, Programme


def zoeterwoude_programme(anouk: Any, *, first_year: int = 2025, last_year: int = 2027) -> Programme:
    return services.programme_create(
        actor=anouk, area=Municipality.objects.get(cbs_code="GM0638"), name="Plan van aanpak mensenhandel Zoeterwoude",
        first_year=first_year, last_year=last_year,
    )


def add_action(actor: Any, programme: Programme, what: str, when: str, **extra: Any) -> Action:
    return services.action_create(actor=actor, programme=programme, data=services.ActionInput(what=what, when_text=when, **extra))


def matrix_programme(ctx: dict[str, Any]) -> Programme:
    return Programme.objects.filter(municipality__cbs_code="GM0638").first() or zoeterwoude_programme(ctx["cast"].anouk)


def matrix_action(ctx: dict[str, Any]) -> Action:
    programme = matrix_programme(ctx)
    return programme.actions.filter(recurring=False).first() or add_action(ctx["cast"].anouk, programme, "DPIA opstellen", "Q3 2026")


def matrix_occurrence(ctx: dict[str, Any]) -> int:
    programme = matrix_programme(ctx)
    action = programme.actions.filter(recurring=True).first() or add_action(ctx["cast"].anouk, programme, "Training Boa's", "Jaarlijks, Q2")
    return action.occurrences.first().pk


def matrix_report(ctx: dict[str, Any]) -> BoardReport:
    """A stored report about Zoeterwoude (a placeholder PDF: access is what is tested here)."""
    zoeterwoude = Municipality.objects.get(cbs_code="GM0638")
    return BoardReport.objects.create(
        level="gemeente", municipality=zoeterwoude, region_id=zoeterwoude.region_id, period="2026H1", kind="halfjaar",
        pdf=b"%PDF-1.4\n%placeholder\n", pages=1,
    )
