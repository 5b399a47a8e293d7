"""The confirmation of a delegate registering on the form is written after the registration's commit, outside
the meeting's and the visits' locks: its row is queued with the registration (so it exists exactly when the
registration does), its text right after the commit. A request that dies in between loses no e-mail: send-mail
never sends the row without its text, and writes that text itself once the row is overdue, with a working link."""
from datetime import timedelta

from sqlalchemy import select, update

from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration import mail, service
from portmeet.registration.models import OutboxMessage
from tests.test_mail import LINK, send_mail
from tests.test_registration import form_data, register, token_of


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def test_the_form_leaves_the_confirmation_written_and_ready_to_send(app, client, make_meeting):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    token = token_of(register(client, meeting))
    [message] = outbox(app)
    assert message.confirmation_for is None
    assert message.subject == "Citizen Port Meeting Bilbao: your registration is confirmed"
    assert f"/registrations/{token}" in message.body and "Dear Ana," in message.body


def test_a_confirmation_left_unwritten_by_a_dead_request_is_written_by_send_mail(app, client, runner, smtp_server,
                                                                                  make_meeting):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    with app.test_request_context():  # the request: registered and committed, then it died before the text
        registration, _token = service.register(db.session.get(Meeting, meeting.id), form_data(visits=[]),
                                                confirm_after_commit=True)
        db.session.commit()
        registration_id = registration.id
    [message] = outbox(app)
    assert (message.confirmation_for, message.body) == (registration_id, "")

    assert "0 sent" in send_mail(runner).output  # never sent without its text, nor written while its request may run
    assert smtp_server.messages == []
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            created_at=message.created_at - mail.CONFIRMATION_OVERDUE - timedelta(seconds=1)))
        db.session.commit()
    assert "1 sent, 0 failed" in send_mail(runner).output
    [sent] = smtp_server.to("ana.ruiz@example.org")
    assert sent["Subject"] == "Citizen Port Meeting Bilbao: your registration is confirmed"
    body = sent.get_content()
    assert "Dear Ana," in body
    assert client.get(LINK.search(body).group(1)).status_code == 200  # a new private link, working
    assert "0 sent" in send_mail(runner).output  # once only


def test_a_failure_writing_the_text_leaves_the_delegate_registered_and_the_row_to_send_mail(app, client, make_meeting,
                                                                                             monkeypatch, caplog):
    meeting = make_meeting()

    def broken(registration, token):
        raise RuntimeError("template gone")

    monkeypatch.setattr(mail, "_confirmation", broken)
    token = token_of(register(client, meeting))  # registered: the redirect to their page, not an error
    assert client.get(f"/registrations/{token}").status_code == 200
    [message] = outbox(app)
    assert message.confirmation_for is not None and message.body == ""
    assert "left for send-mail to write" in caplog.text
