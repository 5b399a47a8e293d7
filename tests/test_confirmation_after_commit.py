"""The confirmation of a delegate registering on the form is queued under the registration's locks with what was
decided (status, queue positions, picks, the link's token), and the sender writes its text from that: the
registration's request neither renders it nor opens a second transaction, the e-mail exists exactly when the
registration does, and it says what was decided even when the delegate changes or cancels before it is written."""
from sqlalchemy import select, update

from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage
from tests.test_mail import LINK, send_mail
from tests.test_registration import register, token_of


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def test_the_form_queues_the_decision_and_the_sender_writes_the_confirmation_with_the_browsers_link(
        app, client, runner, smtp_server, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    boat = make_visit(meeting, title="Port tour by boat", capacity=5)
    token = token_of(register(client, meeting, visits=[str(boat.id)]))
    [message] = outbox(app)
    assert message.body == "" and message.confirmation_for is not None
    assert (message.decision["status"], message.decision["visits"]) == ("confirmed", [[boat.id, "booked", None]])

    assert "1 sent, 0 failed" in send_mail(runner).output
    [sent] = smtp_server.to("ana.ruiz@example.org")
    assert sent["Subject"] == "Citizen Port Meeting Bilbao: your registration is confirmed"
    body = sent.get_content()
    assert "Dear Ana," in body and "Port tour by boat" in body and "place booked" in body
    assert LINK.search(body).group(1) == f"/registrations/{token}"  # the link the browser was sent to
    [message] = outbox(app)
    assert message.decision is None and message.confirmation_for is None  # no token left in the outbox
    assert token not in message.body
    assert "0 sent" in send_mail(runner).output  # once only


def test_a_delegate_who_cancels_before_it_is_written_gets_the_confirmation_as_decided_then_the_cancellation(
        app, client, runner, smtp_server, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao", capacity=1)
    boat = make_visit(meeting, title="Port tour by boat", capacity=5)
    first = token_of(register(client, meeting, email="first@example.org"))
    token_of(register(client, meeting, email="second@example.org", visits=[str(boat.id)]))  # waits: meeting full
    client.post_form(f"/registrations/{first}/cancel")  # the second now has the place and the boat

    send_mail(runner)
    subjects = [m["Subject"].split(": ", 1)[1] for m in smtp_server.to("second@example.org")]
    assert subjects == ["you are on the waiting list", "a place is yours"]
    confirmation = smtp_server.to("second@example.org")[0].get_content()
    assert "you are number 1 on the waiting list" in confirmation
    assert "waitlist, until you have a place at the meeting" in confirmation  # the boat, as decided then
    promotion = smtp_server.to("second@example.org")[1].get_content()
    assert "You have a place at the meeting." in promotion and "place booked" in promotion


def test_a_confirmation_queued_without_its_decision_is_written_with_a_new_working_link(
        app, client, runner, smtp_server, make_meeting):
    meeting = make_meeting()
    token = token_of(register(client, meeting))
    with app.app_context():  # as a row queued by the version before decisions were recorded
        db.session.execute(update(OutboxMessage).values(decision=None))
        db.session.commit()
    assert "1 sent, 0 failed" in send_mail(runner).output
    [sent] = smtp_server.to("ana.ruiz@example.org")
    link = LINK.search(sent.get_content()).group(1)
    assert link != f"/registrations/{token}" and client.get(link).status_code == 200


def test_a_text_that_cannot_be_written_stays_queued_and_holds_back_no_other_mail(
        app, client, runner, smtp_server, make_meeting, monkeypatch, caplog):
    meeting = make_meeting()
    register(client, meeting, email="broken@example.org")
    register(client, meeting, email="fine@example.org")
    from portmeet.registration import mail

    written = mail._confirmation

    def broken_for_one(registration, token, decision=None):
        if registration.email == "broken@example.org":
            raise RuntimeError("template gone")
        return written(registration, token, decision)

    monkeypatch.setattr(mail, "_confirmation", broken_for_one)
    assert "1 sent, 0 failed" in send_mail(runner).output
    assert smtp_server.to("fine@example.org") and not smtp_server.to("broken@example.org")
    assert "could not be written; it stays queued" in caplog.text
    broken = next(m for m in outbox(app) if m.recipient == "broken@example.org")
    assert (broken.sent_at, broken.body) == (None, "") and broken.confirmation_for is not None

    monkeypatch.setattr(mail, "_confirmation", written)  # mended: the next run writes and sends it
    assert "1 sent, 0 failed" in send_mail(runner).output
    assert smtp_server.to("broken@example.org")
