"""The privacy officer searches the audit trail by reference, by user and by date range (issue 19).

Each search is answered from an index in the page's order and without counting the trail; a page
reads a fixed number of queries however long the trail is (the region-scale figures are in
docs/benchmarks.md, from `make bench`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from tests.support import Cast, login, report_signal


def _rows(page: str) -> int:
    return page.count('<tr class="utrecht-table__row"><td')


def test_search_by_reference_user_and_date_range(cast: Cast) -> None:
    ours = report_signal(cast.chantal, cast.zoeterwoude)
    theirs = report_signal(cast.bram, cast.lisse)
    audit_record(actor=cast.anouk, action=AuditAction.VIEW, object_type="case", object_id=str(ours.pk), object_label=ours.reference)
    audit_record(actor=cast.bram, action=AuditAction.VIEW, object_type="case", object_id=str(theirs.pk), object_label=theirs.reference)
    client = login(Client(), cast.gijs)

    page = client.get("/audit/", {"signaal": ours.reference}).content.decode()
    assert ours.reference in page and theirs.reference not in page
    assert _rows(page) == 2  # its intake and anouk's reading

    # Users by name, as people know each other (not by username).
    page = client.get("/audit/", {"gebruiker": cast.anouk.get_full_name()}).content.decode()
    assert ours.reference in page and theirs.reference not in page
    # bram works in Lisse, outside this privacy officer's scope (Zoeterwoude): not found, nothing shown.
    response = client.get("/audit/", {"gebruiker": cast.bram.get_full_name()})
    assert response.status_code == 400 and _rows(response.content.decode()) == 0

    today = timezone.localdate()
    page = client.get("/audit/", {"van": today.isoformat(), "tot": today.isoformat(), "signaal": ours.reference}).content.decode()
    assert ours.reference in page
    earlier = (today - timedelta(days=30)).isoformat()
    page = client.get("/audit/", {"van": earlier, "tot": (today - timedelta(days=1)).isoformat()}).content.decode()
    assert ours.reference not in page and theirs.reference not in page


def test_a_wrong_date_is_explained_and_kept(cast: Cast) -> None:
    response = login(Client(), cast.gijs).get("/audit/", {"van": "31-13-2026", "signaal": "KZ-2026-000001"})
    page = response.content.decode()
    assert response.status_code == 400 and "geldige datum" in page
    assert 'value="31-13-2026"' in page and 'value="KZ-2026-000001"' in page


def test_a_search_page_reads_a_fixed_number_of_queries(cast: Cast) -> None:
    client = login(Client(), cast.gijs)
    for i in range(3):
        audit_record(actor=cast.anouk, action=AuditAction.VIEW, object_type="case", object_id=f"x{i}", object_label="KZ-2026-000777")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/", {"gebruiker": cast.anouk.get_full_name()}).status_code == 200
        return len(queries)

    few = count()
    for i in range(120):  # more than a page: the next page exists, nothing is counted
        audit_record(actor=cast.anouk, action=AuditAction.VIEW, object_type="case", object_id=f"y{i}", object_label="KZ-2026-000778")
    many = count()
    assert many == few
    assert "Oudere regels" in client.get("/audit/", {"gebruiker": cast.anouk.get_full_name()}).content.decode()


def test_rows_without_an_organisation_follow_their_case(cast: Cast) -> None:
    """A job's row (no organisation) about a case is in the scope of the case's municipality only.

    The scope matches such rows on the case id as the trail stores it (text) through a subquery
    (core/sql.py: UuidText, spelled per database), not a list of every case id in the statement.
    """
    from ketenzicht.audit.models import AuditEvent

    ours = report_signal(cast.chantal, cast.zoeterwoude)
    theirs = report_signal(cast.bram, cast.lisse)
    for case in (ours, theirs):
        audit_record(actor=None, action=AuditAction.VIEW, object_type="case", object_id=str(case.pk), object_label=case.reference, reason="job")
    assert AuditEvent.objects.filter(organisation__isnull=True, reason="job").count() == 2
    client = login(Client(), cast.gijs)
    page = client.get("/audit/", {"signaal": ours.reference}).content.decode()
    assert _rows(page) == 2  # its intake and the job's row
    page = client.get("/audit/", {"signaal": theirs.reference}).content.decode()
    assert _rows(page) == 0  # Lisse's case: neither its intake nor the job's row
