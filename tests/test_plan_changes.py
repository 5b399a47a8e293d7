"""When plans change: more places promote the oldest waiting (and tell them, with their link), fewer
places than taken are refused, a delete asks first and cancels a visit with bookings, and a moved
visit or session tells its delegates what changed. E-mails read back from a real SMTP server."""
import re

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, ProgrammeSession
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from tests.test_registration import register, token_of

LINK = re.compile(r"http://localhost(/registrations/[A-Za-z0-9_-]+)\s")


def visit_form(visit, **overrides) -> dict:
    data = {"title": visit.title, "description": visit.description, "day": visit.day.isoformat(),
            "start_time": visit.start_time.strftime("%H:%M"), "end_time": visit.end_time.strftime("%H:%M"),
            "meeting_point": visit.meeting_point, "transport": visit.transport.value, "capacity": str(visit.capacity)}
    data.update(overrides)
    return data


def meeting_form(meeting, **overrides) -> dict:
    data = {"title": meeting.title, "edition": str(meeting.edition), "slug": meeting.slug, "city": meeting.city,
            "country": meeting.country, "venue": meeting.venue, "start_date": meeting.start_date.isoformat(),
            "end_date": meeting.end_date.isoformat(), "timezone": meeting.timezone,
            "description": meeting.description, "host_organisation": meeting.host_organisation, "partners": "",
            "contact_email": meeting.contact_email,
            "registration_opens": meeting.registration_opens.strftime("%Y-%m-%dT%H:%M"),
            "registration_closes": meeting.registration_closes.strftime("%Y-%m-%dT%H:%M"),
            "capacity": str(meeting.capacity), "status": meeting.status.value, "language": "en"}
    data.update(overrides)
    return data


@pytest.fixture
def host(client, make_user):
    def sign_in(meeting):
        make_user(email="host@example.org", hosts=(meeting,))
        client.login("host@example.org")
        return client
    return sign_in


def register_many(client, meeting, count, visit=None, start=1, **fields):
    tokens = {}
    for n in range(start, start + count):
        email = f"delegate{n}@example.org"
        visits = [str(visit.id)] if visit is not None else []
        tokens[email] = token_of(register(client, meeting, email=email, first_name=f"Name{n}", last_name=f"Delegate{n}",
                                          visits=visits, **fields))
    return tokens


def picks(app, visit_id) -> dict[str, BookingStatus]:
    with app.app_context():
        rows = db.session.execute(select(Registration.email, VisitBooking.status)
                                  .join(VisitBooking, VisitBooking.registration_id == Registration.id)
                                  .where(VisitBooking.visit_id == visit_id)).all()
        return dict(rows)


def deliver(runner, smtp_server):
    smtp_server.messages.clear()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return smtp_server.messages


def visit_row(app, visit_id) -> FieldVisit:
    with app.app_context():
        return db.session.get(FieldVisit, visit_id)


# --- 1. capacity changes -------------------------------------------------------------------------

def test_more_places_on_a_full_visit_book_the_oldest_waiting_who_get_an_email_with_their_link(
        app, client, runner, smtp_server, host, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    boat = make_visit(meeting, title="Boat tour", capacity=2)
    register_many(client, meeting, 5, boat)
    deliver(runner, smtp_server)
    host(meeting)

    response = client.post_form(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/edit", visit_form(boat, capacity="4"))
    assert response.status_code == 303
    statuses = picks(app, boat.id)
    assert [statuses[f"delegate{n}@example.org"] for n in range(1, 6)] == [BookingStatus.booked] * 4 + [BookingStatus.waitlisted]

    messages = deliver(runner, smtp_server)
    assert sorted(m["To"] for m in messages) == ["delegate3@example.org", "delegate4@example.org"]
    for message in messages:
        assert message["Subject"] == "Citizen Port Meeting Bilbao: a place on “Boat tour” is yours"
        page = LINK.search(message.get_content()).group(1)
        assert "place booked" in client.get(page).get_data(as_text=True)

    # The fifth delegate now waits first in line; a newcomer never gets past them or beside a free place.
    register_many(client, meeting, 1, boat, start=6)
    assert picks(app, boat.id)["delegate6@example.org"] == BookingStatus.waitlisted
    assert "Places booked: 4 of 4; waiting: 2" in client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/").get_data(as_text=True)


def test_more_places_at_the_meeting_confirm_the_oldest_waiting_and_their_visit_picks(
        app, client, runner, smtp_server, host, make_meeting, make_visit):
    meeting = make_meeting(capacity=2)
    museum = make_visit(meeting, title="Maritime museum", capacity=10)
    register_many(client, meeting, 4, museum)
    deliver(runner, smtp_server)
    host(meeting)

    response = client.post_form(f"/manage/meetings/{meeting.slug}/edit", meeting_form(meeting, capacity="3"))
    assert response.status_code == 303
    with app.app_context():
        status = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert status["delegate3@example.org"] == RegistrationStatus.confirmed
    assert status["delegate4@example.org"] == RegistrationStatus.waitlisted
    assert picks(app, museum.id)["delegate3@example.org"] == BookingStatus.booked
    [message] = deliver(runner, smtp_server)
    assert message["To"] == "delegate3@example.org" and "a place is yours" in message["Subject"]
    assert client.get(LINK.search(message.get_content()).group(1)).status_code == 200


def test_fewer_places_than_booked_is_refused_on_the_form_saying_how_many(app, client, host, make_meeting, make_visit):
    meeting = make_meeting(capacity=3)
    boat = make_visit(meeting, title="Boat tour", capacity=5)
    register_many(client, meeting, 3, boat)
    host(meeting)

    response = client.post_form(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/edit", visit_form(boat, capacity="2"))
    assert response.status_code == 400
    assert "3 places are booked on this visit: the places cannot be fewer than that." in response.get_data(as_text=True)
    assert visit_row(app, boat.id).capacity == 5

    response = client.post_form(f"/manage/meetings/{meeting.slug}/edit", meeting_form(meeting, capacity="1"))
    assert response.status_code == 400
    assert "3 delegates have a place at the meeting: the capacity cannot be lower than that." in response.get_data(as_text=True)

    # Exactly as many places as booked is fine; so is any change that keeps them.
    assert client.post_form(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/edit",
                            visit_form(boat, capacity="3")).status_code == 303


# --- 2. deleting ---------------------------------------------------------------------------------

def test_deleting_a_visit_asks_first_naming_who_is_affected(app, client, host, make_meeting, make_visit):
    meeting = make_meeting()
    boat = make_visit(meeting, title="Boat tour", capacity=1)
    register_many(client, meeting, 2, boat)
    host(meeting)
    url = f"/manage/meetings/{meeting.slug}/visits/{boat.id}/delete"

    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Delegate1, Name1" in text and "Delegate2, Name2" in text
    assert 'name="confirm" value="y"' in text

    assert client.post_form(url, {}).status_code == 400  # one click without confirm=y does nothing
    assert visit_row(app, boat.id).cancelled_at is None
    assert len(picks(app, boat.id)) == 2


def test_a_visit_with_bookings_is_cancelled_stays_on_delegates_pages_and_each_is_told_in_their_language(
        app, client, runner, smtp_server, host, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    boat = make_visit(meeting, title="Boat tour", capacity=1)
    bus = make_visit(meeting, title="Bus tour", capacity=5, start_time=boat.end_time, end_time=boat.end_time.replace(hour=18))
    tokens = register_many(client, meeting, 1, boat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    tokens |= register_many(client, meeting, 1, boat, start=2)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    register_many(client, meeting, 1, bus, start=3)
    deliver(runner, smtp_server)
    host(meeting)

    response = client.post_form(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/delete", {"confirm": "y"})
    assert response.status_code == 303
    visit = visit_row(app, boat.id)
    assert visit is not None and visit.cancelled_at is not None  # cancelled, not erased

    own = client.get(f"/registrations/{tokens['delegate1@example.org']}").get_data(as_text=True)
    assert "Boat tour" in own and "cancelled by the hosts" in own and "waitlist" not in own
    assert "Boat tour" not in client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.pdf").status_code == 404
    assert "Boat tour" not in client.get(f"/manage/meetings/{meeting.slug}/registrations").get_data(as_text=True)

    messages = {m["To"]: m for m in deliver(runner, smtp_server)}
    assert set(messages) == {"delegate1@example.org", "delegate2@example.org"}
    assert messages["delegate1@example.org"]["Subject"] == "Citizen Port Meeting Bilbao: “Boat tour” is cancelled"
    assert "annulée" in messages["delegate2@example.org"].get_content()
    # The delegate may pick another visit as before.
    assert picks(app, bus.id) == {"delegate3@example.org": BookingStatus.booked}


def test_a_visit_nobody_picked_is_erased(app, client, host, make_meeting, make_visit):
    meeting = make_meeting()
    walk = make_visit(meeting, title="Harbour walk")
    host(meeting)
    assert "Nobody has picked this visit" in client.get(f"/manage/meetings/{meeting.slug}/visits/{walk.id}/delete").get_data(as_text=True)
    assert client.post_form(f"/manage/meetings/{meeting.slug}/visits/{walk.id}/delete", {"confirm": "y"}).status_code == 303
    assert visit_row(app, walk.id) is None


def test_deleting_a_session_asks_first(app, client, host, make_meeting, make_session):
    meeting = make_meeting()
    session = make_session(meeting, title="Opening plenary", speakers=[("Ana Ruiz", "Port of Bilbao", "ES")])
    host(meeting)
    url = f"/manage/meetings/{meeting.slug}/sessions/{session.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "Opening plenary" in page and "Ana Ruiz" in page
    assert client.post_form(url, {}).status_code == 400
    with app.app_context():
        assert db.session.get(ProgrammeSession, session.id) is not None
    assert client.post_form(url, {"confirm": "y"}).status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeSession, session.id) is None


def test_another_meetings_host_cannot_reach_the_delete_pages(client, make_user, make_meeting, make_visit, make_session):
    mine, theirs = make_meeting(), make_meeting()
    visit, session = make_visit(theirs), make_session(theirs)
    make_user(email="other@example.org", hosts=(mine,))
    client.login("other@example.org")
    for url in (f"/manage/meetings/{theirs.slug}/visits/{visit.id}/delete",
                f"/manage/meetings/{mine.slug}/visits/{visit.id}/delete",
                f"/manage/meetings/{theirs.slug}/sessions/{session.id}/delete"):
        assert client.get(url).status_code == 404
        assert client.post_form(url, {"confirm": "y"}).status_code == 404


# --- 3. change notices ---------------------------------------------------------------------------

def test_moving_a_visit_with_notify_tells_booked_and_waiting_delegates_old_and_new(
        app, client, runner, smtp_server, host, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    bus = make_visit(meeting, title="Bus tour", capacity=1, transport="bus")
    tokens = register_many(client, meeting, 3, bus)
    client.post_form(f"/registrations/{tokens['delegate3@example.org']}/cancel", {})
    deliver(runner, smtp_server)
    host(meeting)

    url = f"/manage/meetings/{meeting.slug}/visits/{bus.id}/edit"
    assert client.post_form(url, visit_form(bus, start_time="16:00", end_time="18:00", notify="y")).status_code == 303
    messages = deliver(runner, smtp_server)
    assert sorted(m["To"] for m in messages) == ["delegate1@example.org", "delegate2@example.org"]
    body = messages[0].get_content()
    assert messages[0]["Subject"] == "Citizen Port Meeting Bilbao: “Bus tour” has changed"
    assert "Start: 15:00 → 16:00" in body and "End: 17:00 → 18:00" in body
    assert client.get(LINK.search(body).group(1)).status_code == 200

    # Without notify, or with nothing a delegate needs to hear about, nobody is written to.
    bus = visit_row(app, bus.id)
    client.post_form(url, visit_form(bus, start_time="16:30"))
    client.post_form(url, visit_form(visit_row(app, bus.id), description="Bring a coat.", notify="y"))
    assert [(m["To"], m.get_content()) for m in deliver(runner, smtp_server)] == []


def test_moving_a_session_with_notify_tells_the_confirmed_delegates(
        app, client, runner, smtp_server, host, make_meeting, make_session):
    meeting = make_meeting(capacity=1)
    session = make_session(meeting, title="Opening plenary", room="Auditorium")
    register_many(client, meeting, 2)  # the second is waiting for a place
    deliver(runner, smtp_server)
    host(meeting)
    data = {"day": session.day.isoformat(), "start_time": "09:00", "end_time": "10:00", "title": "Opening plenary",
            "kind": "plenary", "room": "Room B", "description": "", "speakers": "", "notify": "y"}
    assert client.post_form(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/edit", data).status_code == 303
    [message] = deliver(runner, smtp_server)
    assert message["To"] == "delegate1@example.org"
    assert "Room: Auditorium → Room B" in message.get_content()
