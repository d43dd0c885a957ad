"""Feedback to an internal reporter goes out through a real SMTP server, without case details."""

from __future__ import annotations

from ketenzicht.cases import services
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, report_signal


def test_feedback_mail_tells_reporter_there_is_news_without_details(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    case = report_signal(cast.chantal, cast.zoeterwoude, description="Geheime details over Jan Jansen")
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_record_feedback(actor=cast.anouk, case=case, message="Wij hebben actie ondernomen.")
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == cast.chantal.email
    assert case.reference in mail["Subject"]
    body = mail.get_content()
    assert "Jan Jansen" not in body and "actie ondernomen" not in body
