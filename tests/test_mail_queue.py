"""The mail queue: a message that cannot be sent never blocks the others, two senders at once never send
one message twice (PostgreSQL, two processes), and no working private link stays in the outbox or a log."""
import asyncio
import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage
from portmeet.timeutil import utcnow
from tests.conftest import ON_POSTGRES, POSTGRES_URL, SmtpInbox
from tests.test_meetings import meeting_form
from tests.test_registration import register, token_of

ROOT = Path(__file__).resolve().parent.parent


def _queue_raw(app, *messages):
    """Messages as an older version (or a bug) may have left them in the outbox."""
    with app.app_context():
        for recipient, subject in messages:
            db.session.add(OutboxMessage(recipient=recipient, subject=subject, body="Hello", created_at=utcnow()))
        db.session.commit()


def test_a_title_with_a_line_break_is_refused_on_the_form(app, client, make_meeting, organiser):
    meeting = make_meeting()
    client.login(organiser.email)
    response = client.post_form(f"/manage/meetings/{meeting.slug}/edit",
                                meeting_form(slug=meeting.slug, title="Port meeting\r\nBcc: everyone@example.org"))
    assert response.status_code == 400
    assert "Line breaks and control characters are not allowed in this field." in response.get_data(as_text=True)


@pytest.mark.parametrize("field, value", [("first_name", "Ana\nBcc: x@example.org"), ("organisation", "Port\x07"),
                                          ("dietary", "none\x1b[31m")])
def test_registration_fields_refuse_control_characters(app, client, make_meeting, field, value):
    response = register(client, make_meeting(), **{field: value})
    assert response.status_code == 400
    assert "are not allowed in this field" in response.get_data(as_text=True)


def test_a_text_area_keeps_its_line_breaks(app, client, make_meeting):
    token_of(register(client, make_meeting(), dietary="No nuts.\r\nNo shellfish."))


def test_a_poisoned_message_does_not_stop_the_next_and_is_backed_off(app, runner, smtp_server):
    _queue_raw(app, ("ana@example.org", "Meeting\r\nBcc: everyone@example.org"), ("ben@example.org", "Welcome"),
               ("bad\r\naddress@example.org", "Welcome"), ("carl@example.org", "Welcome"))
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1 and "2 sent, 2 failed" in result.output
    assert sorted(m["To"] for m in smtp_server.messages) == ["ben@example.org", "carl@example.org"]
    with app.app_context():
        poisoned = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "ana@example.org"))
        assert poisoned.sent_at is None and poisoned.attempts == 1 and poisoned.next_attempt_at > utcnow()
        assert "linefeed" in poisoned.last_error or "carriage" in poisoned.last_error
    # The next run tries the poisoned ones again (counted, skipped) and sends nothing twice.
    result = runner.invoke(args=["send-mail"])
    assert "0 sent, 2 failed" in result.output and len(smtp_server.messages) == 2


def test_a_title_with_a_line_break_queued_by_a_service_still_makes_one_header(app, runner, smtp_server):
    from portmeet.registration.mail import queue

    with app.app_context():
        queue("ana@example.org", "Port\r\nmeeting: welcome", "Hello")
        db.session.commit()
    assert "1 sent" in runner.invoke(args=["send-mail"]).output
    assert smtp_server.messages[0]["Subject"] == "Port meeting: welcome"


def test_a_sent_message_keeps_no_working_link(app, client, runner, smtp_server, make_meeting):
    token = token_of(register(client, make_meeting()))
    runner.invoke(args=["send-mail"])
    assert f"/registrations/{token}" in smtp_server.messages[0].get_content()  # the delegate got it
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body))
    assert token not in body and "[private link removed after sending]" in body


def test_production_logs_no_body_when_there_is_no_mail_server(app, client, runner, make_meeting, caplog):
    app.config["MAIL_LOG_BODIES"] = False
    token = token_of(register(client, make_meeting()))
    with caplog.at_level(logging.INFO, logger="portmeet.mail"):
        runner.invoke(args=["send-mail"])
    assert "ana.ruiz@example.org" in caplog.text and "body not logged" in caplog.text
    assert token not in caplog.text


def test_access_log_lines_hide_private_link_tokens():
    from portmeet.logs import RedactPrivateLinks

    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '%s - - "%s" %s', (
        "127.0.0.1", "GET /registrations/AbCdEfGhIjKlMnOpQrStUvWxYz012345/edit?lang=fr HTTP/1.1", "200"), None)
    RedactPrivateLinks().filter(record)
    assert record.getMessage() == '127.0.0.1 - - "GET /registrations/[token]/edit?lang=fr HTTP/1.1" 200'


class _GatedInbox(SmtpInbox):
    """Holds the first message until a second sender is connected, so that the two runs really overlap."""

    def __init__(self):
        super().__init__()
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        for _ in range(600):
            if len(self.sessions) >= 2:
                break
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_send_mail_processes_at_once_send_each_message_once(app):
    total = 200
    _queue_raw(app, *[(f"delegate{n}@example.org", f"Message {n}") for n in range(total)])
    inbox = _GatedInbox()
    inbox.start()
    try:
        env = {**os.environ, "PORTMEET_ENV": "development", "DATABASE_URL": POSTGRES_URL, "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(inbox.port), "SECRET_KEY": "x" * 40}
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "send-mail", "--batch", "10"]
        senders = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        outputs = [sender.communicate(timeout=300) for sender in senders]
    finally:
        inbox.stop()
    for sender, (_out, err) in zip(senders, outputs):
        assert sender.returncode == 0, err
    sent = [int(out.split(" sent")[0]) for out, _ in outputs]
    assert sum(sent) == total and min(sent) > 0, outputs  # both worked, together exactly once each
    subjects = Counter(m["Subject"] for m in inbox.messages)
    assert len(subjects) == total and set(subjects.values()) == {1}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.sent_at.is_(None))) == 0
