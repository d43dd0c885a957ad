"""Intake: turning a submitted report into a case, exactly once."""

from __future__ import annotations

from typing import Any

from ketenzicht.cases.models import Case, Channel, SubjectRole
from ketenzicht.cases.services import SignalInput, SubjectInput, case_create, read_uploaded
from ketenzicht.core import policy
from ketenzicht.intake.region_queue import after_intake


def internal_report_submit(*, actor: Any, cleaned: dict[str, Any]) -> tuple[Case, bool]:
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
        channel=Channel.INTERN,
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
    case, created = case_create(actor=actor, data=data)
    after_intake(case, created)
    return case, created
