"""Partners' places under concurrency: delegates with partners press "Register" at the same moment, from
separate connections, for a boat (or a dinner) with N places; exactly N people are booked (delegates and partners alike),
the others wait, in the order the database took them, and a cancellation hands the freed places down the
line. On PostgreSQL this exercises the row locks; on SQLite, BEGIN IMMEDIATE on a shared file."""
from datetime import time

from sqlalchemy import select

from portmeet.extensions import db
from portmeet.meetings.models import SessionKind
from portmeet.registration.models import BookingStatus, Registration, SessionSignup, VisitBooking
from portmeet.registration.waitlist import SESSIONS, VISITS, pick_positions
from tests.test_concurrency import DELEGATES, all_at_once, app, cancel_call, form_data, queue_key  # noqa: F401

PLACES = 7  # odd: one couple gets the last place for one of the two


def register_with_partner_call(app, meeting, n: int, boat):
    client = app.test_client()
    data = {**form_data(n, visits=(boat,)), "companions-0-first_name": "Partner", "companions-0-last_name": f"Of {n}",
            "companions-0-country": "NL", "companions-0-visits": [str(boat.id)]}
    data["csrf_token"] = client.csrf_token()
    return lambda: client.post(f"/meetings/{meeting.slug}/register", data=data).status_code


def boat_queue(app, boat) -> list[VisitBooking]:
    with app.app_context():
        bookings = sorted(db.session.scalars(select(VisitBooking).where(VisitBooking.visit_id == boat.id)), key=queue_key)
        for booking in bookings:
            booking.person_name = booking.person.full_name
            positions = pick_positions(booking.registration, VISITS, booking.registration.bookings
                                       + [b for c in booking.registration.companions for b in c.bookings])
            booking.position = positions.get(booking.id)
        db.session.expunge_all()
        return bookings


def test_delegates_with_partners_at_once_fill_the_boat_exactly_and_the_rest_wait_in_order(app, make_meeting, make_visit):
    meeting = make_meeting(capacity=200)
    boat = make_visit(meeting, title="Port tour by boat", capacity=PLACES)
    couples = DELEGATES // 2

    assert all_at_once([register_with_partner_call(app, meeting, n, boat) for n in range(couples)]) == [303] * couples

    queue = boat_queue(app, boat)
    assert len(queue) == 2 * couples
    assert [b.status for b in queue] == [BookingStatus.booked] * PLACES + [BookingStatus.waitlisted] * (2 * couples - PLACES)
    assert sum(b.companion_id is not None for b in queue) == couples  # every partner's pick is there, once
    # Each delegate's pick was taken just before their partner's, in one transaction: the pairs never interleave.
    for delegate_pick, partner_pick in zip(queue[::2], queue[1::2]):
        assert partner_pick.registration_id == delegate_pick.registration_id
        assert (delegate_pick.companion_id, partner_pick.companion_id is not None) == (None, True)
    assert [b.position for b in queue[PLACES:]] == list(range(1, 2 * couples - PLACES + 1))

    # The couple with the first places cancels: their two places go to the next two in line.
    first = queue[0].registration_id
    with app.app_context():
        registration = db.session.get(Registration, first)
        registration.token = registration.set_new_token()
        db.session.commit()
        token = registration.token
    client = app.test_client()
    assert client.post(f"/registrations/{token}/cancel", data={"csrf_token": client.csrf_token()}).status_code == 303
    after = boat_queue(app, boat)
    booked = [b.id for b in after if b.status == BookingStatus.booked]
    assert len(booked) == PLACES
    assert set(booked) == {b.id for b in queue[2:PLACES + 2]}


def register_with_partner_for_dinner_call(app, meeting, n: int, dinner):
    client = app.test_client()
    data = {**form_data(n), "signups": [str(dinner.id)], "companions-0-first_name": "Partner",
            "companions-0-last_name": f"Of {n}", "companions-0-country": "NL",
            "companions-0-signups": [str(dinner.id)]}
    data["csrf_token"] = client.csrf_token()
    return lambda: client.post(f"/meetings/{meeting.slug}/register", data=data).status_code


def test_delegates_with_partners_at_once_fill_the_dinner_exactly_and_the_rest_wait_in_order(app, make_meeting,
                                                                                          make_session):
    """The same for the places of a social dinner (sign-ups, the other kind of places a partner takes)."""
    meeting = make_meeting(capacity=200)
    dinner = make_session(meeting, title="Social dinner", kind=SessionKind.social, capacity=PLACES,
                          start_time=time(20), end_time=time(23))
    couples = DELEGATES // 2

    calls = [register_with_partner_for_dinner_call(app, meeting, n, dinner) for n in range(couples)]
    assert all_at_once(calls) == [303] * couples

    with app.app_context():
        signups = sorted(db.session.scalars(select(SessionSignup).where(SessionSignup.session_id == dinner.id)),
                         key=queue_key)
        positions = {}
        for signup in signups:
            registration = signup.registration
            positions.update(pick_positions(registration, SESSIONS, registration.signups
                                            + [s for c in registration.companions for s in c.signups]))
        queue = [(s.id, s.status, s.registration_id, s.companion_id, positions.get(s.id)) for s in signups]
    assert len(queue) == 2 * couples
    assert [status for _id, status, *_rest in queue] == \
        [BookingStatus.booked] * PLACES + [BookingStatus.waitlisted] * (2 * couples - PLACES)
    for (_a, _s, delegate_registration, delegate_companion, _p), (_b, _t, partner_registration, partner_companion, _q) \
            in zip(queue[::2], queue[1::2]):
        assert partner_registration == delegate_registration
        assert (delegate_companion, partner_companion is not None) == (None, True)
    assert [position for *_rest, position in queue[PLACES:]] == list(range(1, 2 * couples - PLACES + 1))
