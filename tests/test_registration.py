"""A delegate registers through the real form, follows the private link, changes picks and cancels."""
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import MeetingStatus
from portmeet.registration.models import (
    BookingStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    VisitBooking,
    hash_token,
)
from portmeet.timeutil import utcnow

TODAY = utcnow().date()


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Ana", "last_name": "Ruiz", "badge_name": "", "email": "ana.ruiz@example.org",
        "organisation": "Port of Bilbao", "job_title": "Port centre manager", "country": "ES",
        "category": "delegate", "dietary": "", "accessibility": "", "consent_list": "y",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def register(client, meeting, **overrides):
    return client.post_form(f"/meetings/{meeting.slug}/register", form_data(**overrides))


def token_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/registrations/[A-Za-z0-9_-]+", location)
    return location.rsplit("/", 1)[1]


def registration_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Registration.id)))


def status_of(app, email: str):
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email_normalized == email.lower()))
        return registration.status, {b.visit.title: b.status for b in registration.bookings}


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# --- registering ---------------------------------------------------------------------------------

def test_delegate_registers_and_lands_on_their_private_page(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Port tour by boat")
    response = register(client, meeting, visits=[str(tour.id)])
    token = token_of(response)
    assert len(token) >= 22  # at least 128 random bits, URL-safe base64

    page = client.get(f"/registrations/{token}")
    assert page.status_code == 200
    text = page_text(page)
    assert "Ana Ruiz" in text and "Port of Bilbao" in text and "Spain" in text
    assert "Confirmed" in text and "Port tour by boat" in text and "place booked" in text
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.token_hash == hash_token(token) and token not in registration.token_hash
        assert registration.status == RegistrationStatus.confirmed
        assert [b.status for b in registration.bookings] == [BookingStatus.booked]
        assert db.session.scalar(select(OutboxMessage.recipient)) == "ana.ruiz@example.org"


def test_form_offers_countries_by_name_and_visits_with_places_left(client, make_meeting, make_visit, make_registration):
    meeting = make_meeting()
    open_visit = make_visit(meeting, title="Port Center", capacity=25)
    full_visit = make_visit(meeting, title="Container terminal", capacity=1, start_time=time(9), end_time=time(11))
    make_registration(meeting, visits=(full_visit,))
    page = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    assert '<option value="ES">Spain</option>' in page and '<option value="GR">Greece</option>' in page
    assert f'name="visits" value="{open_visit.id}"' in page and f'name="visits" value="{full_visit.id}"' in page
    assert "Places left: 25 of 25" in page
    assert "a new pick joins the waitlist" in page


@pytest.mark.parametrize("name", ["José Ñúñez", "Ελένη Παπαδοπούλου", "נועה לוי", "فاطمة الزهراء", "Ольга Иванова",
                                  "王 小明", "Øyvind Ødegård"])
def test_any_unicode_name_is_kept_as_typed(app, client, make_meeting, name):
    meeting = make_meeting()
    first, last = name.split(" ", 1)
    token = token_of(register(client, meeting, first_name=first, last_name=last))
    assert name in client.get(f"/registrations/{token}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Registration.first_name)) == first


@pytest.mark.parametrize("overrides, field, message", [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"last_name": "  "}, "last_name", "This field is required."),
    ({"email": ""}, "email", "This field is required."),
    ({"organisation": ""}, "organisation", "This field is required."),
    ({"country": ""}, "country", "Choose a country."),
    ({"country": "XX"}, "country", "Choose a country from the list."),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
    ({"first_name": "A" * 101}, "first_name", "Field cannot be longer than 100 characters."),
    ({"organisation": "O" * 201}, "organisation", "Field cannot be longer than 200 characters."),
    ({"dietary": "x" * 501}, "dietary", "Field cannot be longer than 500 characters."),
    ({"category": "vip"}, "category", "Not a valid choice."),
    ({"visits": ["abc"]}, "visits", "could not be coerced"),
    ({"visits": ["99999"]}, "visits", "Pick field visits from the list."),
])
def test_invalid_registration_shows_a_message_keeps_input_and_saves_nothing(app, client, make_meeting, overrides,
                                                                             field, message):
    meeting = make_meeting()
    response = register(client, meeting, job_title="Harbour master", **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert f'id="{field}-error"' in page or f'id="{field}s-error"' in page or 'id="visits-error"' in page
    assert 'value="Harbour master"' in page  # what the delegate typed is kept
    assert registration_count(app) == 0


def test_same_email_twice_answers_neutrally_and_mails_the_link_to_its_owner(app, client, make_meeting):
    """The form never says who is registered: the second try gets "check your mailbox", and the link goes
    to the address (not to this browser); the first registration is untouched and its link still works."""
    meeting = make_meeting()
    first = token_of(register(client, meeting, email="Ana.Ruiz@Example.org"))
    response = register(client, meeting, email="ana.ruiz@EXAMPLE.ORG", first_name="Other")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your mailbox" in page and "already registered" not in page and "/registrations/" not in page
    assert registration_count(app) == 1
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert subjects[-1].endswith("your private link")
    assert client.get(f"/registrations/{first}").status_code == 200


def test_the_same_email_may_register_for_another_meeting(app, client, make_meeting):
    token_of(register(client, make_meeting()))
    token_of(register(client, make_meeting()))
    assert registration_count(app) == 2


def test_overlapping_visits_cannot_both_be_picked(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Boat tour", start_time=time(15), end_time=time(17))
    museum = make_visit(meeting, title="Maritime museum", start_time=time(16, 30), end_time=time(18))
    response = register(client, meeting, visits=[str(tour.id), str(museum.id)])
    assert response.status_code == 400
    assert "“Boat tour” and “Maritime museum” overlap in time" in response.get_data(as_text=True)
    assert registration_count(app) == 0


def test_back_to_back_visits_can_both_be_picked(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, start_time=time(14), end_time=time(15))
    museum = make_visit(meeting, start_time=time(15), end_time=time(16))
    token_of(register(client, meeting, visits=[str(tour.id), str(museum.id)]))


def test_id_data_is_required_when_a_picked_visit_needs_it(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    terminal = make_visit(meeting, title="Container terminal", requires_id=True,
                          id_deadline=meeting.start_date - timedelta(days=7))
    response = register(client, meeting, visits=[str(terminal.id)], nationality="ES")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Port security needs your ID document number for “Container terminal”." in page
    assert "Port security needs your date of birth for “Container terminal”." in page
    assert registration_count(app) == 0

    token = token_of(register(client, meeting, visits=[str(terminal.id)], nationality="ES",
                              id_number="X1234567Z", date_of_birth="1985-04-12"))
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.nationality, registration.id_number, registration.date_of_birth.isoformat()) == (
            "ES", "X1234567Z", "1985-04-12")
    assert token


def test_id_data_is_refused_after_the_visits_deadline(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    terminal = make_visit(meeting, title="Container terminal", requires_id=True, id_deadline=TODAY - timedelta(days=1))
    response = register(client, meeting, visits=[str(terminal.id)], nationality="ES", id_number="X1234567Z",
                        date_of_birth="1985-04-12")
    assert response.status_code == 400
    assert "The deadline for ID data for “Container terminal” was" in response.get_data(as_text=True)
    assert registration_count(app) == 0


def test_id_data_is_not_stored_when_no_picked_visit_needs_it(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    make_visit(meeting, requires_id=True, id_deadline=meeting.start_date)
    token_of(register(client, meeting, nationality="ES", id_number="X1234567Z", date_of_birth="1985-04-12"))
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.nationality, registration.id_number, registration.date_of_birth) == (None, None, None)


# --- the registration window -----------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({"registration_opens": datetime.combine(TODAY + timedelta(days=3), time(9))}, "Registration is not open yet"),
    ({"registration_closes": datetime.combine(TODAY - timedelta(days=1), time(18))}, "Registration for this meeting is closed."),
    ({"status": MeetingStatus.closed}, "Registration for this meeting is closed."),
])
def test_registration_outside_its_window_says_why_and_accepts_nothing(app, client, make_meeting, fields, message):
    meeting = make_meeting(**fields)
    form_page = client.get(f"/meetings/{meeting.slug}/register")
    assert form_page.status_code == 200
    assert message in form_page.get_data(as_text=True)
    assert 'name="first_name"' not in form_page.get_data(as_text=True)
    response = register(client, meeting)
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    assert registration_count(app) == 0


def test_draft_meeting_has_no_registration_page(app, client, make_meeting):
    meeting = make_meeting(status=MeetingStatus.draft)
    assert client.get(f"/meetings/{meeting.slug}/register").status_code == 404
    assert register(client, meeting).status_code == 404
    assert registration_count(app) == 0


def test_meeting_page_shows_the_register_button_or_why_not(client, make_meeting):
    open_meeting = make_meeting()
    page = client.get(f"/meetings/{open_meeting.slug}/").get_data(as_text=True)
    assert f'href="/meetings/{open_meeting.slug}/register"' in page
    assert f'href="/meetings/{open_meeting.slug}/resend-link"' in page
    later = make_meeting(registration_opens=datetime.combine(TODAY + timedelta(days=5), time(9)))
    page = client.get(f"/meetings/{later.slug}/").get_data(as_text=True)
    assert "Registration opens on" in page and f'href="/meetings/{later.slug}/register"' not in page
    closed = make_meeting(status=MeetingStatus.closed)
    page = client.get(f"/meetings/{closed.slug}/").get_data(as_text=True)
    assert "Registration is closed." in page and f'href="/meetings/{closed.slug}/register"' not in page


# --- meeting capacity and visit places -------------------------------------------------------------

def test_past_capacity_delegates_wait_in_order_and_a_cancellation_promotes_the_oldest(app, client, make_meeting):
    meeting = make_meeting(capacity=2)
    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org")) for n in range(4)]
    assert [status_of(app, f"d{n}@example.org")[0] for n in range(4)] == [
        RegistrationStatus.confirmed, RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted, RegistrationStatus.waitlisted]
    assert "you are number 1 in line for a place" in page_text(client.get(f"/registrations/{tokens[2]}"))
    assert "you are number 2 in line for a place" in page_text(client.get(f"/registrations/{tokens[3]}"))

    assert client.post_form(f"/registrations/{tokens[0]}/cancel").status_code == 303
    assert status_of(app, "d0@example.org")[0] == RegistrationStatus.cancelled
    assert status_of(app, "d2@example.org")[0] == RegistrationStatus.confirmed
    assert "you are number 1 in line for a place" in page_text(client.get(f"/registrations/{tokens[3]}"))
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == "d2@example.org")).all()
        assert any("a place is yours" in subject for subject in subjects)


def test_full_visit_puts_the_pick_on_its_waitlist_and_a_dropped_pick_promotes_the_oldest(app, client, make_meeting,
                                                                                        make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Boat tour", capacity=1)
    tokens = [token_of(register(client, meeting, email=f"d{n}@example.org", visits=[str(tour.id)])) for n in range(3)]
    assert [status_of(app, f"d{n}@example.org")[1]["Boat tour"] for n in range(3)] == [
        BookingStatus.booked, BookingStatus.waitlisted, BookingStatus.waitlisted]
    assert "waitlist, position 1" in page_text(client.get(f"/registrations/{tokens[1]}"))
    assert "waitlist, position 2" in page_text(client.get(f"/registrations/{tokens[2]}"))

    # The first delegate drops the visit: the oldest waiting pick gets the place.
    response = client.post_form(f"/registrations/{tokens[0]}/edit", form_data(email="d0@example.org"))
    assert response.status_code == 303
    assert status_of(app, "d0@example.org")[1] == {}
    assert status_of(app, "d1@example.org")[1]["Boat tour"] == BookingStatus.booked
    assert "waitlist, position 1" in page_text(client.get(f"/registrations/{tokens[2]}"))
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == "d1@example.org")).all()
        assert any("a place on “Boat tour” is yours" in subject for subject in subjects)


def test_cancelling_frees_visit_places_for_the_waitlist(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Boat tour", capacity=1)
    first = token_of(register(client, meeting, email="first@example.org", visits=[str(tour.id)]))
    token_of(register(client, meeting, email="second@example.org", visits=[str(tour.id)]))
    client.post_form(f"/registrations/{first}/cancel")
    assert status_of(app, "second@example.org")[1]["Boat tour"] == BookingStatus.booked
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitBooking.id))) == 1


def test_a_waiting_delegates_picks_wait_until_they_have_a_place_at_the_meeting(app, client, make_meeting, make_visit):
    meeting = make_meeting(capacity=1)
    tour = make_visit(meeting, title="Boat tour", capacity=5)
    first = token_of(register(client, meeting, email="first@example.org"))
    token_of(register(client, meeting, email="second@example.org", visits=[str(tour.id)]))
    assert status_of(app, "second@example.org") == (RegistrationStatus.waitlisted, {"Boat tour": BookingStatus.waitlisted})
    client.post_form(f"/registrations/{first}/cancel")
    assert status_of(app, "second@example.org") == (RegistrationStatus.confirmed, {"Boat tour": BookingStatus.booked})


def test_own_page_says_waitlist_only_beside_each_waiting_pick(client, make_meeting, make_visit):
    meeting = make_meeting(capacity=1)
    tour = make_visit(meeting, title="Boat tour", capacity=1, start_time=time(9), end_time=time(10))
    museum = make_visit(meeting, title="Museum", capacity=1, start_time=time(11), end_time=time(12))
    centre = make_visit(meeting, title="Port Center", capacity=3, start_time=time(13), end_time=time(14))
    first = token_of(register(client, meeting, email="first@example.org", visits=[str(tour.id), str(centre.id)]))
    page = client.get(f"/registrations/{first}").get_data(as_text=True)
    assert "waitlist" not in page.lower()

    # Past the meeting's capacity, every pick waits: the word appears once beside each of them.
    second = token_of(register(client, meeting, email="second@example.org",
                               visits=[str(tour.id), str(museum.id), str(centre.id)]))
    page = client.get(f"/registrations/{second}").get_data(as_text=True)
    assert page.lower().count("waitlist") == 3
    for title in ("Boat tour", "Museum", "Port Center"):
        item = re.search(rf"<li[^>]*>\s*<strong dir=\"auto\">{title}</strong>.*?</li>", page, re.S).group(0)
        assert item.lower().count("waitlist") == 1


# --- the private link ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", "/edit", "/cancel"])
def test_a_wrong_or_truncated_token_is_a_plain_404(client, make_meeting, suffix):
    token = token_of(register(client, make_meeting()))
    for bad in (token[:-1], token[:10], "x" * len(token), token + "x"):
        assert client.get(f"/registrations/{bad}{suffix}").status_code == 404
    assert client.post_form(f"/registrations/{token[:-1]}/cancel").status_code == 404


def test_delegate_changes_details_and_picks_through_the_edit_form(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Boat tour", start_time=time(9), end_time=time(10))
    museum = make_visit(meeting, title="Museum", start_time=time(11), end_time=time(12))
    token = token_of(register(client, meeting, visits=[str(tour.id)]))
    form_page = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert 'value="Port of Bilbao"' in form_page
    assert re.search(rf'value="{tour.id}"[^>]*checked', form_page)

    response = client.post_form(f"/registrations/{token}/edit", form_data(
        organisation="Bilbao Port Authority", dietary="Vegetarian", consent_list=None, visits=[str(museum.id)]))
    assert response.headers["Location"] == f"/registrations/{token}"
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.organisation, registration.dietary_summary, registration.consent_list) == (
            "Bilbao Port Authority", "Vegetarian", False)
        assert [b.visit.title for b in registration.bookings] == ["Museum"]


def test_edit_keeps_the_rules(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, title="Boat tour", start_time=time(9), end_time=time(10))
    overlapping = make_visit(meeting, title="Walk", start_time=time(9, 30), end_time=time(11))
    token_of(register(client, meeting, email="other@example.org"))
    token = token_of(register(client, meeting, visits=[str(tour.id)]))
    response = client.post_form(f"/registrations/{token}/edit", form_data(visits=[str(tour.id), str(overlapping.id)]))
    assert response.status_code == 400 and "overlap in time" in response.get_data(as_text=True)
    response = client.post_form(f"/registrations/{token}/edit", form_data(email="OTHER@example.org"))
    assert response.status_code == 400 and "already registered" in response.get_data(as_text=True)
    assert status_of(app, "ana.ruiz@example.org")[1] == {"Boat tour": BookingStatus.booked}


def test_id_data_is_masked_on_the_delegates_pages_and_kept_when_left_empty(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    terminal = make_visit(meeting, title="Container terminal", requires_id=True, id_deadline=meeting.start_date)
    token = token_of(register(client, meeting, visits=[str(terminal.id)], nationality="FR", id_number="12AB34567",
                              date_of_birth="1979-11-30"))
    own = client.get(f"/registrations/{token}").get_data(as_text=True)
    edit = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    for page in (own, edit):
        assert "12AB34567" not in page and "1979-11-30" not in page
        assert "67" in page  # the last two characters, to recognise it
    assert "France" in own

    response = client.post_form(f"/registrations/{token}/edit", form_data(visits=[str(terminal.id)], dietary="Halal"))
    assert response.status_code == 303
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.id_number, registration.dietary_summary) == ("12AB34567", "Halal")

    # Dropping the only visit that needs ID data erases it.
    client.post_form(f"/registrations/{token}/edit", form_data())
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.nationality, registration.id_number, registration.date_of_birth) == (None, None, None)


def test_cancelling_asks_for_confirmation_first(app, client, make_meeting):
    token = token_of(register(client, make_meeting()))
    page = client.get(f"/registrations/{token}/cancel")
    assert page.status_code == 200
    assert f'action="/registrations/{token}/cancel"' in page.get_data(as_text=True)
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.confirmed
    assert client.post(f"/registrations/{token}/cancel").status_code == 400  # no CSRF token
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.confirmed


def test_a_cancelled_registrations_link_shows_it_cancelled_and_changes_nothing(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    tour = make_visit(meeting, capacity=1)
    token = token_of(register(client, meeting, visits=[str(tour.id)]))
    assert client.post_form(f"/registrations/{token}/cancel").status_code == 303
    page = client.get(f"/registrations/{token}")
    assert page.status_code == 200 and "This registration is cancelled" in page_text(page)
    assert f"/registrations/{token}/edit" not in page.get_data(as_text=True)

    response = client.post_form(f"/registrations/{token}/edit", form_data(organisation="Changed", visits=[str(tour.id)]))
    assert response.status_code == 409
    assert client.post_form(f"/registrations/{token}/cancel").status_code == 409
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.status, registration.organisation, registration.bookings) == (
            RegistrationStatus.cancelled, "Port of Bilbao", [])
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2  # confirmation, cancellation


def test_a_delegate_who_cancelled_can_register_again(app, client, make_meeting):
    meeting = make_meeting()
    old = token_of(register(client, meeting))
    client.post_form(f"/registrations/{old}/cancel")
    new = token_of(register(client, meeting, organisation="Port of Pasaia"))
    assert client.get(f"/registrations/{old}").status_code == 404
    assert "Port of Pasaia" in client.get(f"/registrations/{new}").get_data(as_text=True)
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.confirmed


def test_changes_close_with_registration_but_the_link_still_shows_the_registration(app, client, make_meeting):
    meeting = make_meeting()
    token = token_of(register(client, meeting))
    with app.app_context():
        from portmeet.meetings.models import Meeting

        db.session.get(Meeting, meeting.id).registration_closes = datetime.combine(TODAY - timedelta(days=1), time(9))
        db.session.commit()
    assert client.get(f"/registrations/{token}").status_code == 200
    response = client.post_form(f"/registrations/{token}/edit", form_data(organisation="Changed"))
    assert response.status_code == 403
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.confirmed


# --- re-sending the link ---------------------------------------------------------------------------

def test_resend_link_answers_the_same_and_only_a_registered_address_gets_a_new_link_and_the_old_keeps_working(
        app, client, make_meeting):
    meeting = make_meeting()
    old = token_of(register(client, meeting))
    client.get(f"/registrations/{old}")  # where registering leads, with its thank-you message
    answers = []
    for email in ("ANA.RUIZ@example.org", "nobody@example.org"):
        response = client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": email}, follow_redirects=True)
        assert response.status_code == 200
        answers.append(page_text(response).replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.recipient for m in messages] == ["ana.ruiz@example.org", "ana.ruiz@example.org"]
        new = re.search(r"/registrations/([A-Za-z0-9_-]+)", messages[1].body).group(1)
    assert new != old
    assert client.get(f"/registrations/{old}").status_code == 200  # a re-send never cuts off a link
    assert client.get(f"/registrations/{new}").status_code == 200


def test_resend_link_validates_the_address(client, make_meeting):
    meeting = make_meeting()
    response = client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "nope"})
    assert response.status_code == 400 and "Enter a valid e-mail address." in response.get_data(as_text=True)
