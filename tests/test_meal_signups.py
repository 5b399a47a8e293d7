"""Meals and social events with places: delegates sign up on the registration form as they pick visits,
under the same waitlist rules; hosts set, raise and lower the places and delete an event with sign-ups."""
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import ProgrammeSession, SessionKind
from portmeet.registration.models import BookingStatus, OutboxMessage, Registration, RegistrationStatus, SessionSignup
from tests.test_registration import form_data, page_text, register, token_of


def signups_of(app, email: str) -> dict[str, BookingStatus]:
    with app.app_context():
        rows = db.session.execute(
            select(ProgrammeSession.title, SessionSignup.status)
            .join(SessionSignup, SessionSignup.session_id == ProgrammeSession.id)
            .join(Registration, Registration.id == SessionSignup.registration_id)
            .where(Registration.email_normalized == email.lower())
        ).all()
        return dict(rows)


def subjects_to(app, email: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == email)).all()


def session_form(session, **overrides) -> dict:
    data = {"title": session.title, "day": session.day.isoformat(), "start_time": session.start_time.strftime("%H:%M"),
            "end_time": session.end_time.strftime("%H:%M"), "kind": session.kind.value, "room": session.room,
            "description": "", "speakers": "",
            "capacity": "" if session.capacity is None else str(session.capacity)}
    data.update(overrides)
    return data


@pytest.fixture
def dinner(make_meeting, make_session):
    meeting = make_meeting()
    session = make_session(meeting, title="Social dinner at the Itsasmuseum", kind=SessionKind.social, capacity=2,
                           start_time=time(20), end_time=time(23), room="Museum terrace")
    return meeting, session


@pytest.fixture
def host(client, make_user):
    def sign_in(meeting):
        make_user(email="host@example.org", hosts=(meeting,))
        client.login("host@example.org")
        return client
    return sign_in


def test_the_form_offers_events_with_places_and_a_full_one_puts_the_sign_up_on_its_waitlist(app, client, dinner,
                                                                                            make_session):
    meeting, session = dinner
    make_session(meeting, title="Lunch for everyone", kind=SessionKind.meal, start_time=time(13), end_time=time(14))
    page = page_text(client.get(f"/meetings/{meeting.slug}/register"))
    assert "Meals and social events" in page
    assert "Social dinner at the Itsasmuseum" in page and "Places left: 2 of 2" in page
    assert "Lunch for everyone" not in page  # no places: nobody signs up, every confirmed delegate is counted

    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
              for n in range(3)]
    assert [signups_of(app, f"d{n}@example.org") for n in range(3)] == [
        {session.title: BookingStatus.booked}, {session.title: BookingStatus.booked},
        {session.title: BookingStatus.waitlisted}]
    assert "Full: a new pick joins the waitlist" in page_text(client.get(f"/meetings/{meeting.slug}/register"))
    own = client.get(f"/registrations/{tokens[2]}").get_data(as_text=True)
    item = re.search(r"<li[^>]*>\s*<strong dir=\"auto\">Social dinner at the Itsasmuseum</strong>.*?</li>", own, re.S)
    assert "waitlist, position 1" in page_text_of(item.group(0))
    assert own.lower().count("waitlist") == 1  # beside the waiting sign-up, nowhere else
    assert "place booked" in page_text(client.get(f"/registrations/{tokens[0]}"))


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_cancellation_gives_the_place_to_the_oldest_waiting_and_tells_them(app, client, dinner):
    meeting, session = dinner
    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
              for n in range(4)]
    client.post_form(f"/registrations/{tokens[0]}/cancel")
    assert signups_of(app, "d2@example.org") == {session.title: BookingStatus.booked}
    assert signups_of(app, "d3@example.org") == {session.title: BookingStatus.waitlisted}
    assert any("a place at “Social dinner at the Itsasmuseum” is yours" in s for s in subjects_to(app, "d2@example.org"))
    assert "waitlist, position 1" in page_text(client.get(f"/registrations/{tokens[3]}"))


def test_a_dropped_sign_up_promotes_the_oldest_waiting(app, client, dinner):
    meeting, session = dinner
    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
              for n in range(3)]
    response = client.post_form(f"/registrations/{tokens[1]}/edit", form_data(email="d1@example.org"))
    assert response.status_code == 303
    assert signups_of(app, "d1@example.org") == {}
    assert signups_of(app, "d2@example.org") == {session.title: BookingStatus.booked}
    # Picking it again later: the place is gone, so the new sign-up waits.
    client.post_form(f"/registrations/{tokens[1]}/edit", form_data(email="d1@example.org", signups=[str(session.id)]))
    assert signups_of(app, "d1@example.org") == {session.title: BookingStatus.waitlisted}


def test_a_delegate_waiting_for_the_meeting_waits_for_the_dinner_too(app, client, make_meeting, make_session):
    meeting = make_meeting(capacity=1)
    session = make_session(meeting, title="Boat dinner", kind=SessionKind.social, capacity=10,
                           start_time=time(20), end_time=time(22))
    first = token_of(register(client, meeting, email="first@example.org"))
    token_of(register(client, meeting, email="second@example.org", signups=[str(session.id)]))
    assert signups_of(app, "second@example.org") == {"Boat dinner": BookingStatus.waitlisted}
    client.post_form(f"/registrations/{first}/cancel")
    with app.app_context():
        second = db.session.scalar(select(Registration).where(Registration.email == "second@example.org"))
        assert second.status == RegistrationStatus.confirmed
    assert signups_of(app, "second@example.org") == {"Boat dinner": BookingStatus.booked}


@pytest.mark.parametrize("bad", ["999999", "abc", "plenary"])
def test_a_session_not_offered_is_refused_beside_the_field_and_nothing_is_saved(app, client, dinner, make_session,
                                                                                 bad):
    meeting, session = dinner
    plenary = make_session(meeting, title="Opening plenary")
    value = str(plenary.id) if bad == "plenary" else bad
    response = register(client, meeting, signups=[str(session.id), value])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="signups-error" role="alert">(.*?)</p>', html, re.S)
    assert error and "Pick meals and social events from the list." in error.group(1)
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0
        assert db.session.scalar(select(func.count(SessionSignup.id))) == 0


def test_staff_edit_changes_sign_ups_and_the_staff_page_lists_them(app, client, dinner, make_user):
    meeting, session = dinner
    token_of(register(client, meeting, email="ana@example.org"))
    organiser = make_user(email="org@example.org", organiser=True)
    client.login(organiser.email)
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    url = f"/manage/meetings/{meeting.slug}/registrations/{registration_id}"
    assert "Meals and social events" in page_text(client.get(f"{url}/edit"))
    response = client.post_form(f"{url}/edit", form_data(email="ana@example.org", signups=[str(session.id)]))
    assert response.status_code == 303
    assert signups_of(app, "ana@example.org") == {session.title: BookingStatus.booked}
    assert "Social dinner at the Itsasmuseum" in page_text(client.get(url))


# --- the hosts' side -------------------------------------------------------------------------------

def test_only_a_meal_or_social_event_may_have_places(app, dinner, make_session, host):
    meeting, _dinner = dinner
    plenary = make_session(meeting, title="Opening plenary")
    client = host(meeting)
    response = client.post_form(f"/manage/meetings/{meeting.slug}/sessions/{plenary.id}/edit",
                                session_form(plenary, capacity="30"))
    assert response.status_code == 400
    assert "Only a meal or a social event takes sign-ups" in page_text(response)
    with app.app_context():
        assert db.session.get(ProgrammeSession, plenary.id).capacity is None

    response = client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new",
                                session_form(plenary, title="Lunch", kind="meal", room="Hall", capacity="40"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ProgrammeSession.capacity).where(ProgrammeSession.title == "Lunch")) == 40


def test_the_manage_page_shows_how_the_sign_ups_stand(app, client, dinner, host):
    meeting, session = dinner
    for n in range(3):
        token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
    page = page_text(host(meeting).get(f"/manage/meetings/{meeting.slug}/"))
    event = page.split("Social dinner at the Itsasmuseum", 1)[1][:300]
    assert "Places left: 0 of 2 · 1 sign-up waiting" in event


def test_more_places_promote_the_waiting_and_fewer_than_booked_are_refused(app, client, dinner, host):
    meeting, session = dinner
    for n in range(4):
        token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
    client = host(meeting)
    url = f"/manage/meetings/{meeting.slug}/sessions/{session.id}/edit"

    response = client.post_form(url, session_form(session, capacity="1"))
    assert response.status_code == 400
    assert "2 places are booked for this event: the places cannot be fewer than that." in page_text(response)
    response = client.post_form(url, session_form(session, capacity=""))
    assert response.status_code == 400
    assert "4 people have signed up for this event" in page_text(response)

    assert client.post_form(url, session_form(session, capacity="3")).status_code == 303
    assert signups_of(app, "d2@example.org") == {session.title: BookingStatus.booked}
    assert signups_of(app, "d3@example.org") == {session.title: BookingStatus.waitlisted}
    assert any("is yours" in s for s in subjects_to(app, "d2@example.org"))
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == "d2@example.org")
                                  .order_by(OutboxMessage.id.desc())).first()
    # "A place … is yours. Place: Museum terrace" read as two kinds of place: the room is where it happens.
    assert "Where: Museum terrace" in body and "Place:" not in body


def test_deleting_an_event_with_sign_ups_cancels_it_and_tells_its_delegates(app, client, dinner, host):
    meeting, session = dinner
    token = token_of(register(client, meeting, email="ana@example.org", first_name="Ana",
                              signups=[str(session.id)]))
    client = host(meeting)
    url = f"/manage/meetings/{meeting.slug}/sessions/{session.id}/delete"
    page = page_text(client.get(url))
    assert "Ruiz, Ana" in page and "cancelled rather than erased" in page
    # A delegate who registered in French reads the title the hosts wrote in French.
    token_of(register(client, meeting, email="lea@example.fr", first_name="Léa", signups=[str(session.id)]))
    with app.app_context():
        db.session.get(ProgrammeSession, session.id).translations = {"fr": {"title": "Dîner au musée"}}
        db.session.scalar(select(Registration).where(Registration.email_normalized == "lea@example.fr")).language = "fr"
        db.session.commit()
    assert client.post_form(url, {"confirm": "y"}).status_code == 303
    assert any("“Social dinner at the Itsasmuseum” is cancelled" in s for s in subjects_to(app, "ana@example.org"))
    assert any("Dîner au musée" in s for s in subjects_to(app, "lea@example.fr"))
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == "lea@example.fr")
                                  .order_by(OutboxMessage.id.desc())).first()
        assert "Dîner au musée" in body and "Social dinner at the Itsasmuseum" not in body
    assert "Social dinner" not in page_text(client.get(f"/meetings/{meeting.slug}/"))
    own = page_text(client.get(f"/registrations/{token}"))
    assert "Social dinner at the Itsasmuseum" in own and "cancelled by the hosts" in own
    assert client.get(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/edit").status_code == 404


def test_a_session_nobody_signed_up_for_is_erased(app, dinner, host):
    meeting, session = dinner
    client = host(meeting)
    assert client.post_form(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/delete",
                            {"confirm": "y"}).status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeSession, session.id) is None


def test_the_itinerary_lists_an_event_with_places_only_for_who_signed_up_and_marks_who_waits(app, client, dinner,
                                                                                             make_session):
    """A delegate who did not pick the dinner (or waits for it) must not find it in their calendar as if they
    had a seat: the PDF leaves it out or says they wait, the .ics has it only with a place."""
    from icalendar import Calendar

    from tests.documents_support import pdf_text, read_pdf
    meeting, session = dinner
    make_session(meeting, title="Lunch for everyone", kind=SessionKind.meal, start_time=time(13), end_time=time(14))
    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org", signups=[str(session.id)]))
              for n in range(3)]
    tokens.append(token_of(register(client, meeting, email="nodinner@example.org")))
    booked, waiting, none = tokens[0], tokens[2], tokens[3]

    def calendar_titles(token):
        calendar = Calendar.from_ical(client.get(f"/registrations/{token}/itinerary.ics").data)
        return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]

    def itinerary(token):
        return " ".join(pdf_text(read_pdf(client.get(f"/registrations/{token}/itinerary.pdf"))).split())

    assert "Social dinner at the Itsasmuseum" in calendar_titles(booked)
    for token in (waiting, none):
        assert "Social dinner at the Itsasmuseum" not in calendar_titles(token)
        assert "Lunch for everyone" in calendar_titles(token)  # no places: everyone eats
    assert "Social dinner at the Itsasmuseum" in itinerary(booked) and "waiting list" not in itinerary(booked).lower()
    assert "waiting list, position 1 social dinner at the itsasmuseum" in itinerary(waiting).lower()
    assert "Social dinner at the Itsasmuseum" not in itinerary(none)
    assert "Lunch for everyone" in itinerary(none)
