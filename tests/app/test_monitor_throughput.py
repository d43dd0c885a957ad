"""The signal tables' regional throughput comes from the release (issue 20, item 1).

Outcomes per municipality and month, signals received and duration bands are protected figure
kinds (monitor/throughput.py); the page offers released months only. The AF keeps the exact
figures of its own municipality on the tables' page (item 4). Two regions: nothing of the
other region appears, and its figures are not in the region's totals.
"""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation, Region
from ketenzicht.cases.models import Case
from ketenzicht.meetings import services
from ketenzicht.monitor import protected, selectors, throughput
from tests.app.monitor_support import release_through
from tests.app.test_meetings_support import make_meeting, ready_case
from tests.support import Cast, login, make_user

MONDAY = date(2026, 3, 2)


def _other_region() -> tuple[Region, Municipality]:
    region = Region.objects.create(slug="elders", name="Regio Elders")
    place = Municipality.objects.filter(region__isnull=True).order_by("cbs_code").first()
    assert place is not None
    place.region = region
    place.save(update_fields=["region"])
    Organisation.objects.create(slug="elders-regie", name="Ketenregie Elders", kind="overig", region=region)
    Case.objects.create(reference="ELD-1", municipality=place, channel="telefoon", description="Elders.", feedback_impossible_reason="Anoniem.")
    return region, place


def test_regional_throughput_is_the_release_for_released_months_only(cast: Cast) -> None:
    meeting = make_meeting(cast)
    for description in ("Eerste signaal", "Tweede signaal", "Derde signaal"):
        ready_case(cast, description=description)
    sitting = services.sitting_plan(actor=cast.anouk, meeting=meeting, today=MONDAY)
    items = list(sitting.items.order_by("position"))
    services.decision_record(actor=cast.anouk, item=items[0], action="so_niet_bevestigd", rationale="Geen aanwijzingen.")
    services.decision_record(actor=cast.anouk, item=items[1], action="naar_loo", rationale="Sterk signaal.")
    other_region, elsewhere = _other_region()
    month = timezone.localdate().replace(day=1)
    page = reverse("monitor:throughput")

    # Before a release nothing regional is shown, whatever the live data say.
    fleur = login(Client(), cast.fleur)
    assert "Er zijn nog geen cijfers vrijgegeven" in fleur.get(page).content.decode()

    release_through(month)
    rita = make_user("rita", "elders-regie", "ketenregisseur")
    response = fleur.get(page)
    text = response.content.decode()
    assert response.status_code == 200 and "Vrijgegeven cijfers van" in text and "Zoeterwoude" in text
    assert elsewhere.name not in text
    region = cast.zoeterwoude.region
    # Each figure is the protected cell of the release (the same as anywhere else it is shown).
    received = protected.count(throughput.OUTCOMES_KIND, region=region, first=month, last=month, municipalities=[cast.zoeterwoude], category=throughput.RECEIVED)
    refused = protected.count(throughput.OUTCOMES_KIND, region=region, first=month, last=month, municipalities=[cast.zoeterwoude], category="so_niet_bevestigd")
    row = text.split("Zoeterwoude</th>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="utrecht-table__cell">')[1:]]
    assert cells[0] == str(received.value) and cells[4] == str(refused.value)
    # The true counts (3 received, 1 refused) are small: the p-table never publishes them as such.
    assert ptable_publishes_small_counts_perturbed(received.value, refused.value)
    # Durations only as protected band counts, the median as a band read from those published
    # counts (two decisions: each band is published as 0 or as at least the threshold), never as
    # an exact number of days.
    fig = selectors.throughput_published(region=region, first=month, last=month)
    label, bands, median = fig.durations[0]
    assert label == "Van ontvangst tot eerste besluit aan tafel" and label in text and "6 tot en met 10 werkdagen" in text
    published = [n for _band, n in bands]
    assert ptable_publishes_small_counts_perturbed(*published) and "Gemiddeld" not in text
    if any(published):
        assert median and f"De mediaan valt in de klasse {median}." in text
    else:
        assert "Te weinig signalen in deze maanden om een mediaan te tonen." in text
    # Another region's ketenregisseur sees its own region only.
    other = login(Client(), rita).get(page).content.decode()
    assert "Regio Elders" in other and "Zoeterwoude" not in other and elsewhere.name in other

    # Only released months can be chosen: a free date or an unreleased month is refused in Dutch.
    for bad in ({"van": "2026-03-15"}, {"tot": f"{month.year + 1}-01"}):
        refused_page = fleur.get(page, bad)
        assert refused_page.status_code == 400 and "Kies een maand waarvan de cijfers zijn vrijgegeven." in refused_page.content.decode()
    wrong_order = fleur.get(page, {"van": f"{month:%Y-%m}", "tot": f"{release_month_before(month):%Y-%m}"})
    assert wrong_order.status_code == 400 and "Kies een eindmaand na de beginmaand." in wrong_order.content.decode()

    # The AF still sees its own municipality exactly on the tables' page, and the region protected.
    own = login(Client(), cast.anouk).get(reverse("meetings:throughput")).content.decode()
    assert "3 signalen ontvangen" in own and "Signalenoverleg: niet bevestigd</th><td class=\"utrecht-table__cell\">1<" in own
    assert login(Client(), cast.anouk).get(page).status_code == 200
    assert other_region.pk != region.pk


def ptable_publishes_small_counts_perturbed(*values: int | None) -> bool:
    release = protected.current_release()
    assert release is not None
    table = protected.ptable_of(release)
    return all(v is not None and (v == 0 or v >= table.params.threshold) for v in values)


def release_month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
