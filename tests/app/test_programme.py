"""The action programme, training and the reports to the board, through services and pages."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Subject
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.programme import ReportPeriod
from ketenzicht.programme import selectors, services
from ketenzicht.programme.models import Action, ActionUpdate, BoardReport, TargetGroup
from tests.app.programme_support import add_action, zoeterwoude_programme
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login, report_signal

pytestmark = pytest.mark.django_db


# --- actions, recurrence and history -----------------------------------------------------------
def test_a_recurring_action_gets_its_occurrences_over_the_programme_years(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk, first_year=2025, last_year=2026)
    action = add_action(cast.anouk, programme, "Training Boa's", "Jaarlijks, Q2 en Q4")
    assert action.recurring and action.due_date is None
    assert [o.due_date for o in action.occurrences.all()] == [date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31)]

    first = action.occurrences.first()
    services.occurrence_complete(actor=cast.anouk, occurrence=first, done_on=date(2025, 6, 20))
    # A new rhythm replaces the open occurrences; the one ticked off stays as history.
    services.action_edit(actor=cast.anouk, action=action, data=services.ActionInput(what="Training Boa's", when_text="Elk kwartaal"))
    dues = list(action.occurrences.values_list("due_date", "done_on"))
    assert (date(2025, 6, 20) in [d for _due, d in dues]) and len(dues) == 8
    assert sorted(d for d, _done in dues)[:2] == [date(2025, 3, 31), date(2025, 6, 30)]


def test_status_changes_are_dated_history_and_orange_or_red_need_a_note(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk)
    action = add_action(cast.anouk, programme, "DPIA opstellen", "Q3 2026")
    # Refused by the action's lifecycle (the base service error; the page shows the same message).
    with pytest.raises(ServiceError, match="Licht oranje of rood toe"):
        services.action_update_status(actor=cast.anouk, action=action, status="oranje")
    action.refresh_from_db()
    assert action.status == "" and not ActionUpdate.objects.filter(action=action).exists()
    services.action_update_status(actor=cast.anouk, action=action, status="groen", note="Gestart")
    services.action_update_status(actor=cast.anouk, action=action, status="oranje", note="Wacht op advies privacy officer")
    services.action_update_status(actor=cast.anouk, action=action, note="Advies gevraagd")
    with pytest.raises(services.ProgrammeError, match="al zo"):
        services.action_update_status(actor=cast.anouk, action=action, status="oranje")
    action.refresh_from_db()
    assert action.status == "oranje"
    history = list(ActionUpdate.objects.filter(action=action).order_by("at", "id").values_list("status", "previous_status", "note"))
    assert history == [("groen", "", "Gestart"), ("oranje", "groen", "Wacht op advies privacy officer"), ("", "", "Advies gevraagd")]
    assert AuditEvent.objects.filter(object_type="action", object_id=str(action.pk), action="update").count() == 3


def test_only_the_programme_keeper_or_the_named_person_updates_an_action(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk)
    action = add_action(cast.anouk, programme, "Training Boa's", "Q4 2026")
    for outsider in (cast.bram, cast.fleur, cast.chantal):
        with pytest.raises(PermissionDenied):
            services.action_update_status(actor=outsider, action=action, status="groen")
    # Named responsible: the ketenregisseur may now update this one action, not edit the programme.
    action = services.action_edit(actor=cast.anouk, action=action, data=services.ActionInput(what=action.what, when_text="Q4 2026", owner_user=cast.fleur))
    services.action_update_status(actor=cast.fleur, action=action, status="groen", note="Training gegeven")
    with pytest.raises(PermissionDenied):
        add_action(cast.fleur, programme, "Nog een actie", "2026")


def test_overdue_and_due_soon_lists(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk, first_year=2026, last_year=2026)
    late = add_action(cast.anouk, programme, "DPIA opstellen", "Q3 2026")
    soon = add_action(cast.anouk, programme, "Bibob-beleid aanscherpen", "15-12-2026")
    add_action(cast.anouk, programme, "Horeca-overleg", "Doorlopend")
    done = add_action(cast.anouk, programme, "Meldroute", "Q2 2026")
    services.action_complete(actor=cast.anouk, action=done, done_on=date(2026, 6, 1))
    recurring = add_action(cast.anouk, programme, "Teamoverleg", "Halfjaarlijks")

    overview = selectors.overview(programme, date(2026, 11, 23))
    # Late: the dated action and the recurring action's June occurrence nobody ticked off.
    assert [(d.action.pk, d.due) for d in overview.overdue] == [(recurring.pk, date(2026, 6, 30)), (late.pk, date(2026, 9, 30))]
    assert [(d.action.pk, d.due) for d in overview.due_soon] == [(soon.pk, date(2026, 12, 15))]
    occurrence = recurring.occurrences.get(due_date=date(2026, 6, 30))
    services.occurrence_complete(actor=cast.anouk, occurrence=occurrence, done_on=date(2026, 7, 2))
    overview = selectors.overview(programme, date(2026, 11, 23))
    assert [d.action.pk for d in overview.overdue] == [late.pk]
    assert selectors.overview(programme, date(2026, 6, 1)).overdue == []


# --- import of an action table ------------------------------------------------------------------
def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["nr", "pijler", "doel", "actie", "wie", "wanneer", "status", "toelichting"]


def test_a_faulty_table_is_reported_row_by_row_and_nothing_is_stored(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk)
    client = login(Client(), cast.anouk)
    data = _xlsx([HEADER, ["1", "Signaleren", "", "Training", "AF", "Q2 2026", "groen", ""], ["2", "Signaleren", "", "DPIA", "AF", "ooit", "", ""], ["3", "Aanpakken", "", "", "RIEC", "2026", "paars", ""]])
    upload = io.BytesIO(data)
    upload.name = "acties.xlsx"
    response = client.post(f"/programma/{programme.pk}/importeren/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "er is niets opgeslagen" in page
    for needle in ("<td class=\"utrecht-table__cell\">3</td>", "wanneer", "is geen datum", "actie", "Onbekende status"):
        assert needle in page
    assert not Action.objects.filter(programme=programme).exists()


def test_importing_the_same_table_twice_changes_nothing_and_a_new_status_is_history(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk)
    rows = [HEADER, ["1.1", "Signaleren", "Herkennen", "Training Boa's", "Politie eenheid Den Haag – AVIM", "Jaarlijks, Q2", "groen", "Gepland"],
            ["1.2", "Signaleren", "Herkennen", "DPIA", "team privacy", "Q3 2026", "", ""]]
    first = services.import_action_table(actor=cast.anouk, programme=programme, file_name="a.csv", data=_csv(rows))
    assert (first.ok, first.created, first.updated) == (True, 2, 0)
    action = Action.objects.get(programme=programme, number="1.1")
    assert action.owner_organisation is not None and action.owner_organisation.slug == "politie-den-haag-avim"
    assert Action.objects.get(number="1.2").owner_text == "team privacy"
    again = services.import_action_table(actor=cast.anouk, programme=programme, file_name="a.csv", data=_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[1][6], rows[1][7] = "oranje", "Trainer ziek"
    third = services.import_action_table(actor=cast.anouk, programme=programme, file_name="a.csv", data=_csv(rows))
    assert (third.created, third.updated) == (0, 1)
    assert list(action.updates.order_by("at", "id").values_list("status", "note", "source")) == [
        ("groen", "Gepland", "import"), ("oranje", "Trainer ziek", "import"),
    ]
    assert Action.objects.filter(programme=programme).count() == 2


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


# --- training -----------------------------------------------------------------------------------
def test_training_registration_and_coverage_page(cast: Cast) -> None:
    zoeterwoude = cast.zoeterwoude
    services.target_group_save(actor=cast.anouk, municipality=zoeterwoude, function="boa", headcount=6)
    services.target_group_save(actor=cast.anouk, municipality=zoeterwoude, function="wmo", headcount=8, yearly_target=4)
    client = login(Client(), cast.anouk)
    today = timezone.localdate()
    # No attendance: a clear error and the title is kept.
    response = client.post("/programma/training/nieuw/", {"municipality": zoeterwoude.pk, "kind": "training", "title": "Signalen herkennen", "held_on": today.isoformat()})
    assert response.status_code == 400
    assert "ten minste één functie" in response.content.decode() and 'value="Signalen herkennen"' in response.content.decode()
    response = client.post("/programma/training/nieuw/", {
        "municipality": zoeterwoude.pk, "kind": "training", "title": "Signalen herkennen", "held_on": today.isoformat(), "n_boa": "3", "n_wmo": "2",
    })
    assert response.status_code == 302
    page = client.get(f"/programma/training/{zoeterwoude.pk}/?jaar={today.year}").content.decode()
    assert "1 van 2 doelgroepen getraind (50%)" in page
    cov = selectors.coverage_for(zoeterwoude, today.year)
    assert cov.missing == ["wmo"]  # 2 of the 4 required
    assert selectors.coverage_for(zoeterwoude, today.year - 1).covered == 0


def test_a_training_in_the_future_is_refused(cast: Cast) -> None:
    with pytest.raises(services.ProgrammeError, match="toekomst"):
        services.training_create(actor=cast.anouk, municipality=cast.zoeterwoude, kind="training", title="X",
                                 held_on=timezone.localdate() + timedelta(days=3), attendance={"boa": 2})
    with pytest.raises(PermissionDenied):
        services.training_create(actor=cast.bram, municipality=cast.zoeterwoude, kind="training", title="X",
                                 held_on=timezone.localdate(), attendance={"boa": 2})


# --- reports to the board ------------------------------------------------------------------------
def _pdf_text(report: BoardReport) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=bytes(report.pdf), capture_output=True, check=True).stdout.decode()


def test_the_half_yearly_report_has_the_sections_and_no_personal_data(cast: Cast) -> None:
    year = timezone.localdate().year
    programme = zoeterwoude_programme(cast.anouk, first_year=year, last_year=year + 1)
    # Names typed where they do not belong: in an action and in the 'who' field.
    add_action(cast.anouk, programme, "Gesprek met Anouk Test over de meldroute", f"Q1 {year}", owner_text="chantal@example.test",
               status="groen", note="Besproken met Gijs Test")
    add_action(cast.anouk, programme, "DPIA opstellen", "Doorlopend", owner_user=cast.fleur)
    case = report_signal(cast.chantal, cast.zoeterwoude)
    Subject.objects.create(case=case, role="slachtoffer", name="Maria Popescu")
    add_action(cast.anouk, programme, "Nazorg voor Maria Popescu regelen", f"{year}")
    TargetGroup.objects.create(municipality=cast.zoeterwoude, function="boa")

    report = services.board_report_generate(actor=cast.anouk, area=cast.zoeterwoude, period=ReportPeriod(year, 1))
    text = _pdf_text(report)
    for section in ("1. Stand van het actieprogramma", "2. Training en bewustwording", "3. Cijfers uit de regionale monitor", "4. Verstoren: kernprestaties"):
        assert section in text
    assert "DPIA opstellen" in text and "Gemeente Zoeterwoude" in text
    for personal in ("Anouk Test", "chantal@example.test", "Gijs Test", "Besproken met", "Maria Popescu", "Fleur", case.reference):
        assert personal not in text, personal
    assert report.redactions == 3 and report.pages >= 1
    assert AuditEvent.objects.filter(object_type="board_report", action="create").exists()


def test_reports_page_generates_downloads_and_refuses_other_areas(cast: Cast) -> None:
    zoeterwoude_programme(cast.anouk)
    client = login(Client(), cast.anouk)
    response = client.post("/programma/rapportages/", {"area": f"gemeente:{cast.zoeterwoude.pk}", "period": "2199H1"})
    assert response.status_code == 400 and "nog niet begonnen" in response.content.decode()
    response = client.post("/programma/rapportages/", {"area": f"gemeente:{cast.lisse.pk}", "period": "2026H1"})
    assert response.status_code == 400  # Lisse is not a choice for Zoeterwoude's AF
    assert client.post("/programma/rapportages/", {"area": f"gemeente:{cast.zoeterwoude.pk}", "period": "2026H1"}).status_code == 302
    report = BoardReport.objects.get()
    download = client.get(f"/programma/rapportages/{report.pk}/")
    assert download["Content-Type"] == "application/pdf" and bytes(download.content).startswith(b"%PDF")
    assert "voortgangsrapportage-zoeterwoude-2026H1.pdf" in download["Content-Disposition"]
    assert login(Client(), cast.bram).get(f"/programma/rapportages/{report.pk}/").status_code == 403


def test_the_scheduled_run_makes_each_report_once(cast: Cast) -> None:
    zoeterwoude_programme(cast.anouk, first_year=2026, last_year=2027)
    out = io.StringIO()
    call_command("rapportages", "--direct", "--datum", "2027-01-04", stdout=out)
    assert "2 rapportage(s) gemaakt" in out.getvalue()
    assert sorted(BoardReport.objects.values_list("period", "kind", "scheduled")) == [("2026", "jaar", True), ("2026H2", "halfjaar", True)]
    out = io.StringIO()
    call_command("rapportages", "--direct", "--datum", "2027-01-05", stdout=out)
    assert "0 rapportage(s) gemaakt" in out.getvalue()


def test_the_scheduled_command_refuses_a_bad_period() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026H1"):
        call_command("rapportages", "--periode", "2026H7", "--direct")


def test_the_exported_action_table_imports_back_without_changes(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk)
    rows = [HEADER, ["1.1", "Signaleren", "Herkennen", "Training Boa's", "Politie eenheid Den Haag – AVIM", "Jaarlijks, Q2", "groen", "Gepland"],
            ["1.2", "Aanpakken", "", "Bibob-beleid aanscherpen", "team vergunningen", "Q4 2026", "", ""]]
    services.import_action_table(actor=cast.anouk, programme=programme, file_name="a.csv", data=_csv(rows))
    services.action_update_status(actor=cast.anouk, action=Action.objects.get(number="1.2"), status="oranje", note="Wacht op de raad")

    response = login(Client(), cast.fleur).get(f"/programma/{programme.pk}/actietabel.xlsx")
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    assert AuditEvent.objects.filter(object_type="programme", action="export", actor=cast.fleur).exists()
    exported = response.content
    again = services.import_action_table(actor=cast.anouk, programme=programme, file_name="actietabel.xlsx", data=exported)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 2)
    # Into a new programme it recreates the same table.
    copy = services.programme_create(actor=cast.anouk, area=cast.zoeterwoude, name="Kopie", first_year=2025, last_year=2027)
    services.import_action_table(actor=cast.anouk, programme=copy, file_name="actietabel.xlsx", data=exported)
    assert selectors.action_table(copy) == selectors.action_table(programme)


def test_changing_the_programme_years_moves_the_open_occurrences(cast: Cast) -> None:
    programme = zoeterwoude_programme(cast.anouk, first_year=2025, last_year=2026)
    action = add_action(cast.anouk, programme, "Training Boa's", "Jaarlijks", goal="Herkennen", pillar="Signaleren", goal_kind="strategisch")
    assert action.goal.kind == "strategisch"
    services.occurrence_complete(actor=cast.anouk, occurrence=action.occurrences.get(due_date=date(2025, 12, 31)), done_on=date(2025, 12, 1))
    client = login(Client(), cast.anouk)
    response = client.post(f"/programma/{programme.pk}/bewerken/", {"name": "Plan 2026-2027", "first_year": "2027", "last_year": "2026"})
    assert response.status_code == 400 and 'value="Plan 2026-2027"' in response.content.decode()
    response = client.post(f"/programma/{programme.pk}/bewerken/", {"name": "Plan 2026-2027", "first_year": "2026", "last_year": "2027", "area": "regio:1"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.first_year, programme.last_year, programme.level) == ("Plan 2026-2027", 2026, 2027, "gemeente")
    # The one done in 2025 stays as history; open ones follow the new years.
    assert list(action.occurrences.values_list("due_date", flat=True)) == [date(2025, 12, 31), date(2026, 12, 31), date(2027, 12, 31)]


def test_the_responsible_person_is_reminded_once_before_and_once_after_the_deadline(cast: Cast, smtp_server) -> None:  # noqa: F811
    from ketenzicht.meetings.reminders import reminders_send

    today = timezone.localdate()
    programme = zoeterwoude_programme(cast.anouk, first_year=today.year, last_year=today.year + 1)
    due = today + timedelta(days=1)
    action = add_action(cast.anouk, programme, "Gesprek met Maria over de DPIA", due.isoformat(), number="4.2", owner_user=cast.fleur)
    add_action(cast.anouk, programme, "Oude actie", f"Q1 {today.year - 1}")  # passed before it was entered: no mail

    assert reminders_send(today) == 1
    assert reminders_send(today) == 0  # once
    later = due + timedelta(days=5)
    assert reminders_send(later) == 1
    services.action_complete(actor=cast.fleur, action=action, done_on=today)
    assert reminders_send(later + timedelta(days=1)) == 0
    messages = [m for m in smtp_server.messages if "actie 4.2" in m["Subject"]]
    assert [m["To"] for m in messages] == ["fleur@example.test", "fleur@example.test"]
    assert "nadert" in messages[0]["Subject"] and "is verlopen" in messages[1]["Subject"]
    body = messages[1].get_content()
    assert f"/programma/acties/{action.pk}/" in body and "Maria" not in body  # the action's text stays inside
