"""Demo tables: a signalenoverleg and a LOO for Zoeterwoude and Lisse (called by `ketenzicht load_demo`).

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


def load_demo_meetings() -> int:
    """Create the demo tables once (idempotent); returns how many were created."""
    meeting_kinds_sync("den-haag")
    return sum(_tables_for(code, org, name) for code, org, name in DEMO_MUNICIPALITIES)


def _tables_for(cbs_code: str, org_slug: str, place: str) -> int:
    municipality = Municipality.objects.get(cbs_code=cbs_code)
    gemeente = Organisation.objects.get(slug=org_slug)
    police = Organisation.objects.get(slug="politie-den-haag-avim")
    riec = Organisation.objects.get(slug="riec-den-haag")
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
