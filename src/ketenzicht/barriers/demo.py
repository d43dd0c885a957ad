"""Demo data for barriers (called by `ketenzicht load_demo`): barrier models and one planned control."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ketenzicht.accounts.models import Organisation, Role, User
from ketenzicht.barriers.models import ControlTrigger, IntegralControl
from ketenzicht.barriers.services import ControlInput, control_plan, load_shipped_models
from ketenzicht.cases.models import Case

ZOETERWOUDE = "GM0638"


def load_demo_barriers() -> int:
    """Load the shipped barrier models and plan one control on a demo labour case (once)."""
    load_shipped_models()
    case = (
        Case.objects.filter(municipality__cbs_code=ZOETERWOUDE, form_arbeid=True, intake_key__startswith="demo:")
        .exclude(state__in=["ontvangen", "afgesloten"])
        .order_by("created_at")
        .first()
    ) or Case.objects.filter(municipality__cbs_code=ZOETERWOUDE, form_arbeid=True, intake_key__startswith="demo:").first()
    if case is None or IntegralControl.objects.filter(case=case).exists():
        return 0
    af = User.objects.filter(roles__role=Role.AANDACHTSFUNCTIONARIS, organisation__municipality=case.municipality).first()
    if af is None:
        return 0
    # Through the service, as the municipality's AF: demo states are made as a person would.
    control_plan(actor=af, data=ControlInput(
        municipality=case.municipality, case=case, trigger=ControlTrigger.SIGNAAL, trigger_note="Demo: signaal arbeidsuitbuiting",
        planned_on=timezone.localdate() + timedelta(days=14),
        organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla", "politie-den-haag-avim", "odwh"])),
    ))
    return 1
