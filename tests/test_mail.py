"""E-mail reaches a real SMTP server on loopback (aiosmtpd), with working links; none is ever lost."""
import logging
import re

from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage
from tests.test_registration import register, token_of

LINK = re.compile(r"http://localhost(/registrations/[A-Za-z0-9_-]+)")


def send_mail(runner):
    return runner.invoke(args=["send-mail"])


def unsent(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None)))


def test_confirmation_arrives_with_the_private_link_and_the_visits(app, client, runner, smtp_server, make_meeting,
                                                                   make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao", capacity=5)
    tour = make_visit(meeting, title="Boat tour", capacity=1)
    token_of(register(client, meeting, email="first@example.org", visits=[str(tour.id)]))
    token = token_of(register(client, meeting, email="Ana@Example.org", first_name="Ana", visits=[str(tour.id)]))
    result = send_mail(runner)
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 failed" in result.output

    [message] = smtp_server.to("Ana@Example.org")
    assert message["Subject"] == "Citizen Port Meeting Bilbao: your registration is confirmed"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    body = message.get_content()
    assert "Dear Ana," in body
    assert "Boat tour" in body and "waitlist, position 1" in body
    link = LINK.search(body).group(1)
    assert link == f"/registrations/{token}"
    assert client.get(link).status_code == 200
    assert unsent(app) == 0
    assert "0 sent, 0 failed" in send_mail(runner).output  # nothing is sent twice
    assert len(smtp_server.messages) == 2


def test_resent_link_arrives_and_works(app, client, runner, smtp_server, make_meeting):
    meeting = make_meeting()
    old = token_of(register(client, meeting))
    client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "ana.ruiz@example.org"})
    client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "stranger@example.org"})
    send_mail(runner)
    assert smtp_server.to("stranger@example.org") == []
    confirmation, resent = smtp_server.to("ana.ruiz@example.org")
    assert "your private link" in resent["Subject"]
    new = LINK.search(resent.get_content()).group(1)
    assert client.get(new).status_code == 200
    assert client.get(f"/registrations/{old}").status_code == 200  # the link they had keeps working


def test_promotion_and_cancellation_mails(app, client, runner, smtp_server, make_meeting, make_visit):
    meeting = make_meeting(capacity=1)
    first = token_of(register(client, meeting, email="first@example.org"))
    token_of(register(client, meeting, email="second@example.org"))
    client.post_form(f"/registrations/{first}/cancel")
    send_mail(runner)
    assert [m["Subject"].split(": ", 1)[1] for m in smtp_server.to("first@example.org")] == [
        "your registration is confirmed", "registration cancelled"]
    assert [m["Subject"].split(": ", 1)[1] for m in smtp_server.to("second@example.org")] == [
        "you are on the waiting list", "a place is yours"]
    promotion = smtp_server.to("second@example.org")[1].get_content()
    # The promotion carries a working link to the delegate's own page (issue 11).
    assert client.get(LINK.search(promotion).group(1)).status_code == 200


def test_a_stopped_mail_server_loses_no_message(app, client, runner, smtp_server, make_meeting):
    meeting = make_meeting()
    smtp_server.stop()
    token = token_of(register(client, meeting))  # the registration never waits for the mail server
    result = send_mail(runner)
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.sent_at, message.attempts) == (None, 1)
        assert message.last_error and message.next_attempt_at is not None

    smtp_server.start()
    result = send_mail(runner)
    assert result.exit_code == 0 and "1 sent, 0 failed" in result.output
    [message] = smtp_server.to("ana.ruiz@example.org")
    assert f"/registrations/{token}" in message.get_content()
    assert unsent(app) == 0


def test_mail_is_sent_after_the_response_when_configured(app, client, smtp_server, make_meeting):
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    meeting = make_meeting()
    response = register(client, meeting)
    token = token_of(response)
    response.close()  # what the WSGI server does once the page has gone to the browser
    [message] = smtp_server.to("ana.ruiz@example.org")
    assert f"/registrations/{token}" in message.get_content()


def test_after_request_sending_with_the_server_down_never_fails_the_request(app, client, runner, smtp_server,
                                                                            make_meeting):
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    meeting = make_meeting()
    smtp_server.stop()
    response = register(client, meeting)
    token_of(response)
    response.close()
    assert unsent(app) == 1
    # A retry waits for its back-off after a request, but the command retries at once.
    second = register(client, meeting, email="b@example.org")
    token_of(second)
    second.close()
    smtp_server.start()
    assert "2 sent" in send_mail(runner).output
    assert len(smtp_server.messages) == 2


def test_without_a_mail_server_messages_go_to_the_log(app, client, runner, make_meeting, caplog):
    meeting = make_meeting()
    token = token_of(register(client, meeting))
    with caplog.at_level(logging.INFO, logger="portmeet.mail"):
        result = send_mail(runner)
    assert "1 sent" in result.output
    assert "ana.ruiz@example.org" in caplog.text and f"/registrations/{token}" in caplog.text
    assert unsent(app) == 0


def test_no_mail_is_queued_when_the_form_is_refused(app, client, make_meeting):
    response = register(client, make_meeting(), email="broken")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
