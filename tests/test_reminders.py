"""`flask --app wsgi send-reminders`: the itinerary three days before, ID-data reminders seven and two
days before a visit's deadline, each once per delegate and kind, read back from a real SMTP server."""
import re
from datetime import time, timedelta

from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.registration.models import RegistrationStatus, SentReminder
from portmeet.reminders import send_id_data_reminders
from portmeet.timeutil import local_now, utcnow
from tests.test_registration import register, token_of

LINK = re.compile(r"http://localhost(/registrations/[A-Za-z0-9_-]+(?:/[a-z.]+)?)")


def madrid_today():
    return local_now("Europe/Madrid").date()


def reminders(runner):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def delivered(runner):
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def test_itinerary_goes_three_days_before_to_confirmed_delegates_once(app, client, runner, smtp_server,
                                                                      make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao", start_date=madrid_today() + timedelta(days=3),
                           capacity=1)
    later = make_meeting(start_date=madrid_today() + timedelta(days=5))
    boat = make_visit(meeting, title="Boat tour")
    token_of(register(client, meeting, email="ana@example.org", first_name="Ana", visits=[str(boat.id)]))
    token_of(register(client, meeting, email="waiting@example.org"))
    token_of(register(client, later, email="later@example.org"))
    delivered(runner)
    smtp_server.messages.clear()

    assert "itinerary reminders: 1" in reminders(runner)
    assert "itinerary reminders: 0" in reminders(runner)  # cron runs again: nothing twice
    delivered(runner)

    [message] = smtp_server.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"].startswith("Citizen Port Meeting Bilbao: your itinerary")
    body = message.get_content()
    assert "Boat tour" in body and "place booked" in body
    links = LINK.findall(body)
    pdf = next(link for link in links if link.endswith("itinerary.pdf"))
    response = client.get(pdf)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    page = next(link for link in links if "/" not in link.removeprefix("/registrations/"))
    assert "Boat tour" in client.get(page).get_data(as_text=True)


def test_id_data_reminders_seven_and_two_days_before_the_deadline(app, client, runner, smtp_server,
                                                                  make_meeting, make_visit):
    meeting = make_meeting(start_date=madrid_today() + timedelta(days=20))
    port = make_visit(meeting, title="Container terminal", requires_id=True,
                      id_deadline=madrid_today() + timedelta(days=7))
    token_of(register(client, meeting, email="given@example.org", visits=[str(port.id)],
                      nationality="ES", id_number="X1234567", date_of_birth="1980-02-03"))
    with app.app_context():
        # A delegate registered by the organisers without ID data (the form would have asked for it).
        from portmeet.registration.models import Registration, VisitBooking
        missing = Registration(meeting_id=meeting.id, first_name="Ben", last_name="Missing", email="ben@example.org",
                               email_normalized="ben@example.org", organisation="Port of Genoa", country="IT")
        missing.set_new_token()
        missing.bookings = [VisitBooking(visit_id=port.id)]
        db.session.add(missing)
        db.session.commit()
    delivered(runner)
    smtp_server.messages.clear()

    assert "ID-data reminders: 1" in reminders(runner)
    assert "ID-data reminders: 0" in reminders(runner)
    with app.app_context():  # five days later: the two-day reminder, once
        assert send_id_data_reminders(utcnow() + timedelta(days=5)) == 1
        assert send_id_data_reminders(utcnow() + timedelta(days=5)) == 0
        db.session.commit()
        kinds = db.session.scalars(select(SentReminder.kind).order_by(SentReminder.id)).all()
    assert kinds == ["id-data-7", "id-data-2"]
    delivered(runner)
    assert [m["To"] for m in smtp_server.messages] == ["ben@example.org", "ben@example.org"]
    body = smtp_server.messages[0].get_content()
    assert "Container terminal" in body
    edit = next(link for link in LINK.findall(body) if link.endswith("/edit"))
    assert 'name="id_number"' in client.get(edit).get_data(as_text=True)


def test_no_id_data_reminder_after_the_deadline_or_once_given(app, runner, make_meeting, make_visit,
                                                             make_registration):
    from datetime import date

    meeting = make_meeting(start_date=madrid_today() + timedelta(days=20))
    past = make_visit(meeting, title="Past deadline", requires_id=True, id_deadline=madrid_today() - timedelta(days=1))
    soon = make_visit(meeting, title="Soon", requires_id=True, id_deadline=madrid_today() + timedelta(days=2),
                      start_time=time(9), end_time=time(10))
    make_registration(meeting, visits=(past,))
    make_registration(meeting, visits=(soon,), nationality="ES", id_number="X1234567", date_of_birth=date(1980, 2, 3))
    make_registration(meeting, visits=(soon,), status=RegistrationStatus.cancelled)
    assert "ID-data reminders: 0" in reminders(runner)
    with app.app_context():
        assert db.session.scalar(select(func.count(SentReminder.id))) == 0


def test_reminder_in_the_language_the_delegate_registered_in(app, client, runner, smtp_server, make_meeting):
    meeting = make_meeting(start_date=madrid_today() + timedelta(days=2))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    token_of(register(client, meeting, email="claire@example.org", first_name="Claire"))
    delivered(runner)
    smtp_server.messages.clear()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    reminders(runner)
    delivered(runner)
    [message] = smtp_server.messages
    assert "Claire" in message.get_content()
    assert "itinéraire" in message["Subject"]
