"""Builders for the barriers rows of the permission matrix and the barriers tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers import services
from ketenzicht.barriers.models import BarrierModel, BibobScreening, IntegralControl, Intervention
from ketenzicht.cases.services import case_transition


def ensure_models() -> None:
    if not BarrierModel.objects.filter(region__isnull=True).exists():
        services.load_shipped_models()


def matrix_control(ctx: dict[str, Any]) -> IntegralControl:
    """A control planned by anouk on the Zoeterwoude case of the matrix."""
    cast = ctx["cast"]
    if "control" not in ctx:
        case = case_transition(actor=cast.anouk, case=ctx["case"], action="in_behandeling_nemen")
        ctx["control"] = services.control_plan(actor=cast.anouk, data=services.ControlInput(
            municipality=cast.zoeterwoude, case=case, trigger="signaal", planned_on=timezone.localdate(),
            organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"])),
        ))
    return ctx["control"]


def matrix_intervention(ctx: dict[str, Any]) -> Intervention:
    ensure_models()
    cast = ctx["cast"]
    control = matrix_control(ctx)
    return services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"),
    ))


def matrix_bibob(ctx: dict[str, Any]) -> BibobScreening:
    cast = ctx["cast"]
    return services.bibob_create(actor=cast.anouk, municipality=cast.zoeterwoude, values={
        "application_kind": "huisvesting_arbeidsmigranten", "applicant": "Logies BV", "received_on": date(2026, 1, 5),
    })


def matrix_model(ctx: dict[str, Any]) -> dict[str, Any]:
    ensure_models()
    return {"form": "arbeid", "year": timezone.localdate().year}
