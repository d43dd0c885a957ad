"""Details of issue 16 item 7 that a user notices: the programme summary counts what is late, and
dates read in the one Dutch format."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from tests.app.programme_support import add_action, zoeterwoude_programme
from tests.support import Cast, login


def test_the_programme_summary_counts_overdue_actions(cast: Cast) -> None:
    year = timezone.localdate().year
    programme = zoeterwoude_programme(cast.anouk, first_year=year - 1, last_year=year + 1)
    add_action(cast.anouk, programme, "DPIA opstellen", f"Q1 {year - 1}")
    add_action(cast.anouk, programme, "Meldroute vastleggen", f"Q2 {year - 1}")
    add_action(cast.anouk, programme, "Horeca-overleg", f"Q4 {year + 1}")
    page = login(Client(), cast.anouk).get(f"/programma/{programme.pk}/").content.decode()
    late = re.search(r'data-testid="late-count">(.*?)</li>', page, re.S)
    assert late and "2 acties zijn te laat" in late.group(1)
    # No status was given: "rood 0" stands beside them, and the line above says what is late.
    assert re.search(r"Rood: niet op koers</span>\s*: 0<", page)


def test_dates_read_in_the_one_dutch_format(cast: Cast) -> None:
    from django.template import Context, Template

    moment = timezone.make_aware(timezone.datetime(2026, 12, 6, 14, 5))
    shown = Template('{{ d|date:"DATE_FORMAT" }} | {{ d|date:"DATETIME_FORMAT" }}').render(Context({"d": moment}))
    assert shown == "6 december 2026 | 6 december 2026 14:05"


def test_the_map_names_its_municipalities_and_no_chart_label_is_cut_off(region: None) -> None:
    import re

    from ketenzicht.monitor import charts

    svg = str(charts.choropleth({"GM0638": 3, "GM0553": 0}, {"GM0638": "Zoeterwoude", "GM0553": "Lisse"}, uid="m", title="Kaart"))
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    assert "Zoeterwoude" in labels and "Lisse" in labels

    long_label = "Criminele uitbuiting (gedwongen criminaliteit, drugshandel)"
    bars = str(charts.bar_chart([(long_label, 4), ("Arbeid", 2)], uid="b", title="Vormen"))
    anchor = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"[^>]*>' + re.escape(long_label), bars).group(1))
    assert anchor >= len(long_label) * 7  # the label ends there and starts inside the picture


def test_the_dashboard_opens_on_the_users_own_district(cast: Cast) -> None:
    from ketenzicht.accounts.models import District
    from ketenzicht.barriers import selectors

    # An AF: their municipality's district (Zoeterwoude lies in Leiden-Bollenstreek), only that one.
    assert [d.slug for d in selectors.districts_for(cast.anouk)] == [cast.zoeterwoude.district.slug]
    # A district coordinator: their organisation's district first (by name Haaglanden would come first).
    leiden = District.objects.get(slug="leiden-bollenstreek")
    cast.fleur.organisation.district_id = leiden.pk  # the district-level organisation's own district
    districts = selectors.districts_for(cast.fleur)
    assert districts[0] == leiden and len(districts) > 1
