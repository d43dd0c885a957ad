"""The demo in two regions (issue 13 item 2): `load_demo`, `demo_accounts --json`, `demo_code`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from ketenzicht.accounts.models import Role
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

KEYS = ["gebruikersnaam", "wachtwoord", "rollen", "organisatie", "gemeente", "regio"]


def _accounts() -> list[dict[str, object]]:
    out = StringIO()
    call_command("demo_accounts", "--json", stdout=out)
    return json.loads(out.getvalue())


@override_settings(DEBUG=True)
def test_the_demo_loads_two_regions_with_every_role_and_signals_in_several_states() -> None:
    call_command("load_demo", quiet=True)
    accounts = _accounts()
    assert accounts and all(list(row) == KEYS for row in accounts)
    by_region: dict[str, list[dict[str, object]]] = {}
    for row in accounts:
        by_region.setdefault(str(row["regio"]), []).append(row)
    assert set(by_region) == {"den-haag", "zeeland-west-brabant"}
    for region, rows in by_region.items():
        roles = {role for row in rows for role in row["rollen"]}  # type: ignore[attr-defined]
        for role in (Role.AANDACHTSFUNCTIONARIS, Role.MELDER, Role.OVERLEGDEELNEMER, Role.KETENREGISSEUR,
                     Role.PRIVACY_OFFICER, Role.BEHEERDER, Role.KETENPARTNER):
            assert role in roles, f"{region}: no demo account with role {role}"
        af_municipalities = {row["gemeente"] for row in rows if Role.AANDACHTSFUNCTIONARIS in row["rollen"]}  # type: ignore[operator]
        assert len(af_municipalities) >= 2 and None not in af_municipalities, region
        # Two beheerders, so a grant of beheerder or privacy officer can be confirmed by a second one.
        assert sum(Role.BEHEERDER in row["rollen"] for row in rows) >= 2, region  # type: ignore[operator]
        # Non-municipal accounts carry no municipality; municipal ones a CBS code.
        assert all(row["gemeente"] is None or str(row["gemeente"]).startswith("GM") for row in rows)
    # Every account logs in with the printed password.
    request = RequestFactory().post("/account/login/")
    for row in accounts:
        assert authenticate(request, username=row["gebruikersnaam"], password=row["wachtwoord"]) is not None, row["gebruikersnaam"]

    # Signals in several states in each region, made through the services (history and audit).
    for slug in ("den-haag", "zeeland-west-brabant"):
        cases = Case.objects.filter(municipality__region__slug=slug, intake_key__startswith="demo")
        assert cases.count() >= 6, slug
        assert len(set(cases.values_list("state", flat=True))) >= 3, slug
        for case in cases:
            assert CaseEvent.objects.filter(case=case).exists()
            assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), action="create").exists()
    # Goes has no AF: its demo signal waits in the region's queue, it is not lost.
    assert Case.objects.filter(municipality__cbs_code="GM0664").count() == 1

    # The monitor demo of both regions is accepted and in the one release (which covers every
    # region at once): a ketenregisseur of either region sees figures, not an empty monitor.
    from ketenzicht.monitor.models import Import, ImportStatus, ReleaseCount

    assert not Import.objects.exclude(status=ImportStatus.GEACCEPTEERD).exists(), list(Import.objects.exclude(status=ImportStatus.GEACCEPTEERD).values_list("file_name", flat=True))
    released = set(ReleaseCount.objects.filter(kind="monitor", n__gt=0).values_list("region__slug", flat=True))
    assert released == {"den-haag", "zeeland-west-brabant"}

    # `demo_code USERNAME` stays: a six-digit code for a demo account of either region.
    for username in ("af.zoeterwoude", "af.vlissingen"):
        out = StringIO()
        call_command("demo_code", username, stdout=out)
        assert out.getvalue().strip().isdigit() and len(out.getvalue().strip()) == 6

    # The regional control team (issue 14 item 4): one regional control on Zoeterwoude and Lisse.
    from ketenzicht.barriers.models import IntegralControl

    regional = IntegralControl.objects.get(regional=True)
    assert sorted(regional.addresses.values_list("municipality__name", flat=True)) == ["Lisse", "Zoeterwoude"]

    # Loading again changes nothing.
    before = (Case.objects.count(), len(accounts), IntegralControl.objects.count())
    call_command("load_demo", quiet=True)
    assert (Case.objects.count(), len(_accounts()), IntegralControl.objects.count()) == before

