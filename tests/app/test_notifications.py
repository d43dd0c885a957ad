"""Notifications: who is told of what, in the app and by e-mail, once, and never with personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.services import case_transition
from ketenzicht.meetings.models import ReminderSent
from ketenzicht.meetings.reminders import reminders_send
from ketenzicht.notifications.models import Kind, MailState, Notification, Preference
from ketenzicht.notifications.services import notify
from ketenzicht.routing import services as routing
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login, report_signal

pytestmark = pytest.mark.django_db
ADDRESS = "Dorpsstraat 3, 2381 AB Zoeterwoude"


def _report(cast: Cast, capture, **flags):  # noqa: ANN001, ANN202
    with capture(execute=True):
        return report_signal(cast.chantal, cast.zoeterwoude, location_address=ADDRESS, description="Zes mannen in een schuur.", **flags)


def test_a_new_signal_tells_the_municipalitys_af_once_by_mail_with_a_link_only(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    case = _report(cast, django_capture_on_commit_callbacks)
    mine = Notification.objects.get(recipient=cast.anouk)
    assert mine.kind == Kind.NIEUW_SIGNAAL and case.reference in mine.title and not mine.urgent
    # Lisse's AF and Zoeterwoude's other staff hear nothing of Zoeterwoude's signal.
    assert not Notification.objects.exclude(recipient=cast.anouk).exists()
    assert [m["To"] for m in smtp_server.messages] == ["anouk@example.test"]
    body = smtp_server.messages[0].get_content()
    assert f"/berichten/{mine.pk}/" in body
    for private in ("Zes mannen", "Dorpsstraat", case.reference, "Anouk"):
        assert private not in body and private not in smtp_server.messages[0]["Subject"]
    # The reminder run finds nothing left to send: once only.
    reminders_send(timezone.localdate())
    assert len(smtp_server.messages) == 1
    mine.refresh_from_db()
    assert mine.mail_state == MailState.VERSTUURD and ReminderSent.objects.filter(subject_type="bericht").count() == 1


def test_acute_danger_is_flagged_and_mailed_at_once_even_when_the_af_switched_mail_off(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    Preference.objects.create(user=cast.anouk, kind=Kind.NIEUW_SIGNAAL, delivery="uit")
    _report(cast, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []  # off: in the app only
    _report(cast, django_capture_on_commit_callbacks, acute_danger=True)
    urgent = Notification.objects.get(recipient=cast.anouk, urgent=True)
    assert "acuut gevaar" in urgent.title
    assert len(smtp_server.messages) == 1 and "met spoed" in smtp_server.messages[0]["Subject"]
    _report(cast, django_capture_on_commit_callbacks, minor_involved="ja")
    assert "minderjarige" in Notification.objects.filter(recipient=cast.anouk).first().title
    assert len(smtp_server.messages) == 2


def test_daily_digest_collects_the_days_notifications_in_one_mail(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    Preference.objects.create(user=cast.anouk, kind=Kind.NIEUW_SIGNAAL, delivery="dagelijks")
    _report(cast, django_capture_on_commit_callbacks)
    _report(cast, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []
    today = timezone.localdate()
    reminders_send(today)  # today's notifications wait for tomorrow's digest
    assert smtp_server.messages == []
    reminders_send(today + timedelta(days=1))
    reminders_send(today + timedelta(days=1))
    digests = [m for m in smtp_server.messages if "dagelijks overzicht" in m["Subject"]]
    assert len(digests) == 1 and "(2 berichten)" in digests[0]["Subject"]
    assert "Dorpsstraat" not in digests[0].get_content()
    assert not Notification.objects.filter(mail_state=MailState.OVERZICHT).exists()


def test_a_failed_mail_is_sent_by_the_next_run(cast: Cast, settings, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens: the send fails, the claim is released
    _report(cast, django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=cast.anouk).mail_state == MailState.WACHT
    settings.EMAIL_PORT = port
    reminders_send(timezone.localdate())
    reminders_send(timezone.localdate())
    assert [m["To"] for m in smtp_server.messages] == ["anouk@example.test"]


def test_a_rolled_back_intake_notifies_nobody(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        report_signal(cast.chantal, cast.zoeterwoude)
        raise RuntimeError("rollback")
    assert not Notification.objects.exists()


def test_a_partners_answer_tells_the_af_who_sent_the_referral(cast: Cast, django_capture_on_commit_callbacks) -> None:
    case = case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Opvang?")
    routing.referral_send(actor=cast.anouk, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        routing.referral_receive(actor=cast.julia, referral=referral)
        routing.referral_accept(actor=cast.julia, referral=referral)
    answer = Notification.objects.get(kind=Kind.DOORVERWIJZING_ANTWOORD)
    assert answer.recipient == cast.anouk and "geaccepteerd" in answer.title and case.reference in answer.title
    assert not Notification.objects.filter(recipient=cast.bram).exists()


def test_a_deadline_reminder_becomes_a_notification_and_respects_the_digest_choice(cast: Cast, smtp_server) -> None:  # noqa: F811
    case = report_signal(cast.chantal, cast.zoeterwoude)
    Preference.objects.create(user=cast.anouk, kind=Kind.TERMIJN, delivery="dagelijks")
    reminders_send(case.first_assessment_due + timedelta(days=2))
    deadline = Notification.objects.get(recipient=cast.anouk, kind=Kind.TERMIJN)
    assert "eerste beoordeling" in deadline.title and "is verlopen" in deadline.title
    assert deadline.mail_state == MailState.OVERZICHT
    assert not [m for m in smtp_server.messages if "eerste beoordeling" in m["Subject"]]
    # The reminder itself is still sent once: the next run neither mails nor notifies again.
    reminders_send(case.first_assessment_due + timedelta(days=2))
    assert Notification.objects.filter(kind=Kind.TERMIJN).count() == 1


def test_notify_once_per_event_key_and_never_to_inactive_or_system_accounts(cast: Cast) -> None:
    from ketenzicht.accounts.system import system_actor

    cast.bram.is_active = False
    cast.bram.save()
    people = [cast.anouk, cast.anouk, cast.bram, system_actor("test")]
    first = notify(recipients=people, kind=Kind.TREFFER, title="Treffer bij ZW-1", link="/", key="treffer:1")
    again = notify(recipients=people, kind=Kind.TREFFER, title="Treffer bij ZW-1", link="/", key="treffer:1")
    assert [n.recipient for n in first] == [cast.anouk] and again == []
    with pytest.raises(ValueError):
        notify(recipients=[cast.anouk], kind="onbekend", title="x", link="/")


def test_the_centre_shows_a_count_opens_and_marks_read_and_hides_others_notifications(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    mine = notify(recipients=[cast.anouk], kind=Kind.NIEUW_SIGNAAL, title=f"Nieuw signaal {case.reference}", link=f"/werkvoorraad/{case.pk}/")[0]
    theirs = notify(recipients=[cast.bram], kind=Kind.NIEUW_SIGNAAL, title="Nieuw signaal LI-1", link="/werkvoorraad/")[0]
    client = login(Client(), cast.anouk)
    page = client.get("/berichten/").content.decode()
    assert case.reference in page and "LI-1" not in page
    assert 'class="kz-count">1<' in client.get("/werkvoorraad/").content.decode()
    response = client.get(f"/berichten/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/werkvoorraad/{case.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None and "kz-count" not in client.get("/werkvoorraad/").content.decode()
    assert client.get(f"/berichten/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_are_saved_and_bad_input_is_refused_in_dutch_keeping_the_rest(cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    choices = {kind: "direct" for kind in Kind.values if kind != Kind.BEVEILIGING}
    response = client.post("/berichten/voorkeuren/", {**choices, Kind.TERMIJN: "dagelijks", Kind.TREFFER: "soms"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Selecteer een geldige keuze" in page and 'value="dagelijks" id="id_termijn_1" checked' in page.replace("\n", "")
    assert not Preference.objects.exists()
    client.post("/berichten/voorkeuren/", {**choices, Kind.TERMIJN: "dagelijks"})
    assert Preference.objects.get(user=cast.anouk, kind=Kind.TERMIJN).delivery == "dagelijks"
    assert not Preference.objects.filter(kind=Kind.BEVEILIGING).exists()
