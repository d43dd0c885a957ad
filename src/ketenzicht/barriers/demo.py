"""Demo data for barriers (called by `ketenzicht load_demo`): barrier models, one planned control
and one planned regional control (Zoeterwoude and Lisse, planned by the region's ketenregisseur)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation, Role, User
from ketenzicht.barriers.models import ControlTrigger, IntegralControl
from ketenzicht.barriers.services import (
    ControlInput,
    RegionalControlInput,
    control_plan,
    load_shipped_models,
    regional_control_plan,
)
from ketenzicht.cases.models import Case

ZOETERWOUDE = "GM0638"
LISSE = "GM0553"


def load_demo_barriers() -> int:
    """Load the shipped barrier models and plan one control on a demo labour case (once)."""
    load_shipped_models()
    _demo_regional_control()
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


def _demo_regional_control() -> None:
    """A regional control in eenheid Den Haag (once), as its ketenregisseur would plan it."""
    if IntegralControl.objects.filter(regional=True).exists():
        return
    places = {m.cbs_code: m for m in Municipality.objects.filter(cbs_code__in=[ZOETERWOUDE, LISSE])}
    kr = User.objects.filter(roles__role=Role.KETENREGISSEUR, organisation__region__slug="den-haag", is_active=True).first()
    if kr is None or len(places) < 2:
        return
    regional_control_plan(actor=kr, data=RegionalControlInput(
        region=places[ZOETERWOUDE].region, planned_on=timezone.localdate() + timedelta(days=21), form="arbeid",
        trigger_note="Demo: RIEC-beeld van een uitzendbureau met logiespanden in meer gemeenten",
        addresses=[(places[ZOETERWOUDE], "Hoge Rijndijk 110, 2382 AV Zoeterwoude"), (places[LISSE], "Heereweg 250, 2161 BP Lisse")],
        organisations=list(Organisation.objects.filter(slug__in=["nla", "politie-den-haag-avim"])),
    ))
