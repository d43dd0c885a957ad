"""Intake: turning a submitted report into a case, exactly once."""

from __future__ import annotations

from typing import Any

from ketenzicht.accounts.models import OrganisationKind, Role
from ketenzicht.cases.models import Case, Channel, SubjectRole
from ketenzicht.cases.services import (
    SignalInput,
    SubjectInput,
    case_create,
    read_uploaded,
)
from ketenzicht.core import policy

TIP_CHANNELS = (Channel.MMA, Channel.POLITIE)


def _is_partner(actor: Any) -> bool:
    org = actor.organisation
    return org is not None and org.kind != OrganisationKind.GEMEENTE


def report_form_options(actor: Any) -> dict[str, Any]:
    """How the report form looks for this person: the AF may register a tip as its own channel
    (everyone chooses among the municipalities of their own region: the view passes region_id)."""
    return {"registers_tips": actor.has_role(Role.AANDACHTSFUNCTIONARIS) and not _is_partner(actor)}


def _channel(actor: Any, cleaned: dict[str, Any]) -> str:
    if _is_partner(actor):
        return Channel.PARTNER
    chosen = cleaned.get("kanaal") or ""
    if chosen in TIP_CHANNELS and report_form_options(actor)["registers_tips"]:
        return chosen
    return Channel.INTERN


def internal_report_submit(*, actor: Any, cleaned: dict[str, Any]) -> tuple[Case, bool]:
    """A report on screen: by a colleague (intern), a tip the AF registers, or a partner's professional
    (the policy keeps every one of them to a municipality of their own region)."""
    policy.require(actor, "case.report", cleaned["municipality"])
    subjects = []
    if cleaned.get("victims"):
        subjects.append(SubjectInput(role=SubjectRole.SLACHTOFFER, description=cleaned["victims"]))
    if cleaned.get("perpetrators"):
        subjects.append(SubjectInput(role=SubjectRole.DADER, description=cleaned["perpetrators"]))
    if cleaned.get("company_name") or cleaned.get("kvk_number"):
        subjects.append(
            SubjectInput(role=SubjectRole.BEDRIJF, name=cleaned.get("company_name", ""), kvk_number=cleaned.get("kvk_number", ""))
        )
    data = SignalInput(
        municipality=cleaned["municipality"],
        channel=_channel(actor, cleaned),
        description=cleaned["description"],
        observed_on=cleaned.get("observed_on"),
        location_address=cleaned.get("location_address", ""),
        forms=list(cleaned.get("exploitation_forms") or []),
        minor_involved=cleaned["minor_involved"],
        acute_danger=bool(cleaned.get("acute_danger")),
        company_name=cleaned.get("company_name", ""),
        kvk_number=cleaned.get("kvk_number", "") or "",
        subjects=subjects,
        attachments=[read_uploaded(f) for f in cleaned.get("attachments") or []],
        intake_key=f"{actor.pk}:{cleaned['intake_key']}" if cleaned.get("intake_key") else "",
    )
    # Who is told (the AFs, or the region's queue) follows from the worker (intake/tasks.py).
    return case_create(actor=actor, data=data)
