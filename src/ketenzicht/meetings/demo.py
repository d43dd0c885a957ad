"""Demo tables: a signalenoverleg and a LOO per demo municipality with an AF, in both demo regions
(Zoeterwoude and Lisse in eenheid Den Haag, Vlissingen and Breda in Zeeland-West-Brabant; called
by `ketenzicht load_demo`), and one table above the municipalities per region (issue 14 item 3):
the district table of Leiden-Bollenstreek (its coordinator is the Den Haag demo ketenregisseur)
and the regional table of Zeeland-West-Brabant, with both AFs and the police as members.

Every demo municipality whose signals reach a table decision has its tables: a table outcome is
taken at the table (issue 18), also in the demo.
"""

from __future__ import annotations

from datetime import time

from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation, Role, User
from ketenzicht.meetings.models import Meeting, MeetingKind
from ketenzicht.meetings.services import meeting_kinds_sync

ZOETERWOUDE = "GM0638"
DEMO_MUNICIPALITIES = (("GM0638", "gemeente-zoeterwoude", "Zoeterwoude"), ("GM0553", "gemeente-lisse", "Lisse"))
# region → (its police unit's and RIEC's organisation, the demo municipalities with an AF)
DEMO_TABLES = {
    "den-haag": ("politie-den-haag-avim", "riec-den-haag", DEMO_MUNICIPALITIES),
    "zeeland-west-brabant": (
        "politie-zeeland-west-brabant-avim",
        "riec-zeeland-west-brabant",
        (("GM0718", "gemeente-vlissingen", "Vlissingen"), ("GM0758", "gemeente-breda", "Breda")),
    ),
}


def load_demo_meetings() -> int:
    """Create the demo tables once (idempotent); returns how many were created."""
    created = 0
    for region, (police, riec, municipalities) in DEMO_TABLES.items():
        meeting_kinds_sync(region)
        created += sum(_tables_for(code, org, name, police, riec) for code, org, name in municipalities)
        created += _regional_table(police, municipalities)
    return created


def _regional_table(police_slug: str, municipalities: tuple[tuple[str, str, str], ...]) -> int:
    places = [Municipality.objects.select_related("region", "district").get(cbs_code=code) for code, _org, _name in municipalities]
    region = places[0].region
    # A district table when the demo municipalities share a district (its coordinator convenes it).
    district = places[0].district if len({p.district_id for p in places}) == 1 else None
    if Meeting.objects.filter(municipality__isnull=True, region=region, district=district).exists():
        return 0
    organisations = [Organisation.objects.get(slug=org) for _code, org, _name in municipalities]
    organisations.append(Organisation.objects.get(slug=police_slug))
    members = User.objects.filter(organisation__in=organisations, roles__role__in=[Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS]).distinct()
    # Demo data is loaded outside a request: no actor, so the model is written directly.
    meeting = Meeting.objects.create(
        kind=MeetingKind.objects.get(slug="regionale-tafel-mensenhandel"), region=region, district=district,
        name=f"Regionale tafel mensenhandel {district.name if district else region.name}",
        interval_weeks=4, weekday=3, start_time=time(13, 30), first_date=timezone.localdate(),
    )
    meeting.organisations.set(organisations)
    meeting.members.set(members)
    return 1


def _tables_for(cbs_code: str, org_slug: str, place: str, police_slug: str, riec_slug: str) -> int:
    municipality = Municipality.objects.get(cbs_code=cbs_code)
    gemeente = Organisation.objects.get(slug=org_slug)
    police = Organisation.objects.get(slug=police_slug)
    riec = Organisation.objects.get(slug=riec_slug)
    participants = list(
        User.objects.filter(organisation__in=[gemeente, police, riec], roles__role=Role.OVERLEGDEELNEMER).distinct()
    )
    tables = [
        ("signalenoverleg", f"Signalenoverleg {place}", 2, 1, [gemeente, police, riec]),
        ("loo", f"Lokaal Overleg Ondermijning {place}", 4, 3, [gemeente, police, riec]),
    ]
    created = 0
    for slug, name, weeks, weekday, organisations in tables:
        if Meeting.objects.filter(municipality=municipality, kind__slug=slug).exists():
            continue
        # Demo data is loaded outside a request: no actor, so the model is written directly.
        meeting = Meeting.objects.create(
            kind=MeetingKind.objects.get(slug=slug),
            municipality=municipality,
            name=name,
            interval_weeks=weeks,
            weekday=weekday,
            start_time=time(10, 0),
            first_date=timezone.localdate(),
        )
        meeting.organisations.set(organisations)
        meeting.members.set([u for u in participants if u.organisation_id in {o.pk for o in organisations}])
        created += 1
    return created
