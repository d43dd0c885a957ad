"""Demo data for barriers (called by `ketenzicht load_demo`): barrier models and one planned control."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers.models import ControlTrigger, IntegralControl
from ketenzicht.barriers.services import address_hash, load_shipped_models
from ketenzicht.cases.models import Case
from ketenzicht.domain.matching import address_key

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
    # Demo data is loaded outside a request: no actor, so the model is written directly.
    key = address_key(case.location_address)
    control = IntegralControl.objects.create(
        municipality=case.municipality, case=case, trigger=ControlTrigger.SIGNAAL,
        trigger_note="Demo: signaal arbeidsuitbuiting", location_address=case.location_address, address_key=key,
        address_hash=address_hash(key), company_name=case.company_name, kvk_number=case.kvk_number,
        planned_on=timezone.localdate() + timedelta(days=14),
    )
    control.organisations.set(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla", "politie-den-haag-avim", "odwh"]))
    return 1
