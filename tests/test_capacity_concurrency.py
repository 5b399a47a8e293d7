"""A host changes places while delegates register at the same moment, each from its own connection:
never overbooked, never anyone waiting beside a free place, and the oldest waiting get the new places.
On PostgreSQL this exercises the row locks and their order (meeting, then visits); on SQLite the
BEGIN IMMEDIATE transactions (see test_concurrency.py, whose fixtures these are)."""
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from tests.test_concurrency import DELEGATES, all_at_once, app, check_places, queue_key, register_call  # noqa: F401
from tests.test_plan_changes import meeting_form, visit_form

HOST = "host@example.org"


def host_call(app, url: str, data: dict):
    """The host with the form open, about to press "Save"."""
    client = app.test_client()
    client.login(HOST)
    data = dict(data, csrf_token=client.csrf_token())
    return lambda: client.post(url, data=data).status_code


def test_raising_a_visits_places_while_delegates_pick_it(app, make_meeting, make_visit, make_registration, make_user):
    meeting = make_meeting(capacity=200)
    tour = make_visit(meeting, title="Port tour by boat", capacity=4)
    early = [make_registration(meeting, visits=(tour,)) for _ in range(4)]  # full
    make_user(email=HOST, hosts=(meeting,))
    first = [register_call(app, meeting, n, visits=(tour,)) for n in range(6)]
    assert all_at_once(first) == [303] * 6  # six wait for the tour

    url = f"/manage/meetings/{meeting.slug}/visits/{tour.id}/edit"
    calls = [host_call(app, url, visit_form(tour, capacity="14"))] + \
        [register_call(app, meeting, n, visits=(tour,)) for n in range(6, 6 + DELEGATES - 1)]
    assert all_at_once(calls) == [303] * DELEGATES

    registrations = check_places(app, meeting)  # never over 14, nobody waiting beside a free place
    with app.app_context():
        bookings = sorted(db.session.scalars(select(VisitBooking).where(VisitBooking.visit_id == tour.id)).all(),
                          key=queue_key)
        booked = [b for b in bookings if b.status == BookingStatus.booked]
        assert len(booked) == 14
        # Those who waited before the change got places before anyone who arrived with it.
        first_wave = {registrations[f"concurrent{n}@example.org"].id for n in range(6)}
        assert first_wave <= {b.registration_id for b in booked}
        assert {r.id for r in early} <= {b.registration_id for b in booked}


def test_raising_the_meetings_capacity_while_delegates_register(app, make_meeting, make_registration, make_user):
    meeting = make_meeting(capacity=10)
    for _ in range(10):
        make_registration(meeting)
    make_user(email=HOST, hosts=(meeting,))
    first = [register_call(app, meeting, n) for n in range(5)]
    assert all_at_once(first) == [303] * 5  # five wait for a place

    with app.app_context():
        meeting = db.session.get(Meeting, meeting.id)
        db.session.expunge(meeting)
    url = f"/manage/meetings/{meeting.slug}/edit"
    calls = [host_call(app, url, meeting_form(meeting, capacity="25"))] + \
        [register_call(app, meeting, n) for n in range(5, 5 + DELEGATES - 1)]
    assert all_at_once(calls) == [303] * DELEGATES

    registrations = check_places(app, meeting)
    confirmed = [r for r in registrations.values() if r.status == RegistrationStatus.confirmed]
    assert len(confirmed) == 25
    assert all(registrations[f"concurrent{n}@example.org"].status == RegistrationStatus.confirmed for n in range(5))


def test_lowering_places_below_bookings_made_at_the_same_moment_is_refused_or_fits(app, make_meeting, make_visit,
                                                                                   make_user):
    meeting = make_meeting(capacity=200)
    tour = make_visit(meeting, title="Port tour by boat", capacity=30)
    make_user(email=HOST, hosts=(meeting,))
    url = f"/manage/meetings/{meeting.slug}/visits/{tour.id}/edit"
    calls = [host_call(app, url, visit_form(tour, capacity="10"))] + \
        [register_call(app, meeting, n, visits=(tour,)) for n in range(DELEGATES - 1)]
    results = all_at_once(calls)
    assert results[1:] == [303] * (DELEGATES - 1)
    assert results[0] in (303, 400)  # saved before the bookings passed 10, or refused after

    check_places(app, meeting)
    with app.app_context():
        capacity = db.session.get(FieldVisit, tour.id).capacity
        booked = db.session.scalars(select(VisitBooking).join(Registration).where(
            VisitBooking.visit_id == tour.id, VisitBooking.status == BookingStatus.booked)).all()
    assert capacity == (10 if results[0] == 303 else 30)
    assert len(booked) == min(capacity, DELEGATES - 1)
