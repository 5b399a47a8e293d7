"""The day after the meeting, `send-reminders` e-mails each delegate once: certificate and presentations."""
import re
from datetime import datetime, time, timedelta

import pytest

from portmeet.extensions import db
from portmeet.letters.post_meeting import send_post_meeting_mail
from portmeet.registration.models import RegistrationStatus
from portmeet.timeutil import utcnow


@pytest.fixture
def ended(make_meeting, make_session):
    end = utcnow().date() - timedelta(days=1)
    meeting = make_meeting(slug="cpm-antwerp", title="Citizen Port Meeting Antwerp", start_date=end - timedelta(days=1),
                           end_date=end, timezone="UTC", registration_opens=None, registration_closes=None)
    make_session(meeting, title="Port centres", slides_url="https://slides.example.org/a", slides_public=True)
    return meeting


def test_the_day_after_the_meeting_each_delegate_gets_one_mail(app, runner, smtp_server, ended, make_registration):
    here = make_registration(ended, first_name="Ana", email="ana@example.org", checked_in_at=utcnow() - timedelta(days=2))
    make_registration(ended, first_name="Nils", email="nils@example.org", language="fr")
    make_registration(ended, email="gone@example.org", status=RegistrationStatus.cancelled)
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "post-meeting mail (certificates, presentations): 2" in result.output
    assert runner.invoke(args=["send-reminders"]).output.strip().endswith(": 0")  # never twice
    assert runner.invoke(args=["send-mail"]).exit_code == 0

    [ana] = smtp_server.to("ana@example.org")
    assert ana["Subject"] == "Citizen Port Meeting Antwerp: thank you for coming"
    body = ana.get_content()
    assert "certificate of attendance is ready" in body and "/meetings/cpm-antwerp/#presentations" in body
    # Straight to the PDF, through a private link of its own.
    certificate_link = re.search(r"https?://\S+(/registrations/[\w-]+/certificate\.pdf)", body)
    assert certificate_link, body
    response = app.test_client().get(certificate_link.group(1))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [nils] = smtp_server.to("nils@example.org")
    assert "attestation" not in nils.get_content() and "Merci" in nils.get_content()
    assert smtp_server.to("gone@example.org") == []
    with app.app_context():
        assert db.session.get(type(here), here.id).post_meeting_mail_at is not None


def test_nothing_is_sent_during_or_long_after_the_meeting(app, make_meeting, make_registration):
    running = make_meeting(start_date=utcnow().date(), registration_opens=None, registration_closes=None)
    long_ago = make_meeting(start_date=utcnow().date() - timedelta(days=30), end_date=utcnow().date() - timedelta(days=29),
                            registration_opens=None, registration_closes=None)
    make_registration(running)
    make_registration(long_ago)
    with app.app_context():
        assert send_post_meeting_mail(datetime.combine(utcnow().date(), time(12))) == 0
