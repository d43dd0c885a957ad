"""Demo data for the action programme (called by `ketenzicht load_demo`).

A district programme for Leiden-Bollenstreek, imported from a CSV in the format a region
delivers (data/demo/), and target groups and one training for Zoeterwoude — once.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ketenzicht.accounts.loaders import DATA_DIR
from ketenzicht.accounts.models import District, Municipality, User
from ketenzicht.programme import services
from ketenzicht.programme.models import Programme, TargetGroup, Training, TrainingAttendance

DEMO_TABLE = DATA_DIR / "demo" / "actieprogramma-leiden-bollenstreek.csv"


def load_demo_programme() -> int:
    district = District.objects.filter(slug="leiden-bollenstreek").first()
    regisseur = User.objects.filter(username="ketenregisseur").first()
    if district is None or regisseur is None or Programme.objects.filter(district=district).exists():
        return 0
    year = timezone.localdate().year
    programme = services.programme_create(
        actor=regisseur, area=district, name="Actieprogramma mensenhandel Leiden-Bollenstreek",
        first_year=year - 1, last_year=year + 1,
        description="Demo: acties uit de plannen van aanpak van de seeds, per pijler signaleren, voorkomen en aanpakken.",
    )
    outcome = services.import_action_table(actor=regisseur, programme=programme, file_name=DEMO_TABLE.name, data=DEMO_TABLE.read_bytes())
    if not outcome.ok:
        raise RuntimeError(f"demo action table does not import: {[str(e) for e in outcome.errors]}")
    zoeterwoude = Municipality.objects.get(cbs_code="GM0638")
    # Written directly (no actor in a demo load), like the other demo data.
    for function, headcount in (("boa", 6), ("bwt", 4), ("burgerzaken", 10), ("wmo", 8), ("leerplicht", 2)):
        TargetGroup.objects.get_or_create(municipality=zoeterwoude, function=function, defaults={"headcount": headcount})
    if not Training.objects.filter(municipality=zoeterwoude).exists():
        training = Training.objects.create(
            municipality=zoeterwoude, kind="e_learning", title="E-learning mensenhandel herkennen (CCV)",
            held_on=date(year, 3, 15) if timezone.localdate() >= date(year, 3, 15) else timezone.localdate(),
        )
        TrainingAttendance.objects.bulk_create([
            TrainingAttendance(training=training, function="boa", count=5),
            TrainingAttendance(training=training, function="burgerzaken", count=7),
        ])
    return outcome.created
