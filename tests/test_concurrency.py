"""Places under concurrency: many delegates press "Register" at the same moment, from separate
connections, and still no visit holds more booked delegates than its places and no meeting more
confirmed delegates than its capacity; the others wait in the order the database took them.

Each delegate is a thread with its own test client (its own session cookie, its own app context and
so its own database connection); a threading.Barrier releases them together. On PostgreSQL this
exercises the row locks (SELECT … FOR UPDATE); on SQLite a temporary database file (an in-memory
database cannot be shared between connections) exercises the BEGIN IMMEDIATE transactions.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from config import TestConfig
from portmeet import create_app
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from portmeet.registration.waitlist import pick_positions, registration_position
from tests.conftest import ON_POSTGRES, POSTGRES_URL, FormClient

DELEGATES = 40


@pytest.fixture
def app(app, tmp_path):
    """The suite's app, on a database that every thread reaches through a connection of its own.

    The outer `app` has already emptied the PostgreSQL tables; here a second app gets a pool large
    enough for every thread at once (the default pool would queue them)."""
    url = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
    config = type("ConcurrencyConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
                                      "pool_size": DELEGATES + 5, "max_overflow": 5},
    })
    shared = create_app(config)
    shared.test_client_class = FormClient
    with shared.app_context():
        if not ON_POSTGRES:
            db.create_all()
    yield shared
    with shared.app_context():
        db.session.remove()
        db.engine.dispose()


def form_data(n: int, visits=()) -> dict:
    return {
        "first_name": "Delegate", "last_name": f"Number {n}", "email": f"concurrent{n}@example.org",
        "organisation": "Port of Antwerp-Bruges", "country": "BE", "category": "delegate",
        "visits": [str(visit.id) for visit in visits],
    }


def all_at_once(calls) -> list:
    """Run every call in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def register_call(app, meeting, n: int, visits=()):
    """A delegate with the form open (session and CSRF token ready), about to press "Register"."""
    client = app.test_client()
    data = form_data(n, visits)
    data["csrf_token"] = client.csrf_token()
    return lambda: client.post(f"/meetings/{meeting.slug}/register", data=data).status_code


def cancel_call(app, registration):
    client = app.test_client()
    token = client.csrf_token()
    return lambda: client.post(f"/registrations/{registration.token}/cancel", data={"csrf_token": token}).status_code


def queue_key(item):
    return (item.created_at, item.id)


def check_places(app, meeting) -> dict:
    """Assert the capacity rules on what the database holds; return the registrations by e-mail."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting.id)
        registrations = db.session.scalars(select(Registration).where(Registration.meeting_id == meeting.id)).all()
        confirmed = [r for r in registrations if r.status == RegistrationStatus.confirmed]
        waiting = sorted((r for r in registrations if r.status == RegistrationStatus.waitlisted), key=queue_key)
        assert len(confirmed) <= meeting.capacity
        if waiting:  # nobody waits while a place is free
            assert len(confirmed) == meeting.capacity
        # The waitlist is one line, 1, 2, 3… in the order the database took the registrations.
        assert [registration_position(r) for r in waiting] == list(range(1, len(waiting) + 1))

        for visit in db.session.scalars(select(FieldVisit).where(FieldVisit.meeting_id == meeting.id)):
            bookings = db.session.scalars(select(VisitBooking).where(VisitBooking.visit_id == visit.id)).all()
            booked = [b for b in bookings if b.status == BookingStatus.booked]
            eligible = sorted((b for b in bookings if b.status == BookingStatus.waitlisted
                               and b.registration.status == RegistrationStatus.confirmed), key=queue_key)
            assert len(booked) <= visit.capacity, visit.title
            assert all(b.registration.status == RegistrationStatus.confirmed for b in booked)
            if eligible:
                assert len(booked) == visit.capacity, visit.title
            assert [pick_positions(b.registration)[b.id] for b in eligible] == list(range(1, len(eligible) + 1))
        db.session.expunge_all()
        return {r.email: r for r in registrations}


def test_many_delegates_at_once_never_overbook_the_last_places_of_a_visit(app, make_meeting, make_visit,
                                                                         make_registration):
    meeting = make_meeting(capacity=200)
    tour = make_visit(meeting, title="Port tour by boat", capacity=10)
    for _ in range(4):  # 6 places left
        make_registration(meeting, visits=(tour,))
    calls = [register_call(app, meeting, n, visits=(tour,)) for n in range(DELEGATES)]

    assert all_at_once(calls) == [303] * DELEGATES  # every delegate registered; nobody saw an error

    registrations = check_places(app, meeting)
    with app.app_context():
        picks = sorted(db.session.scalars(select(VisitBooking).join(Registration).where(
            VisitBooking.visit_id == tour.id, Registration.email.like("concurrent%"))).all(), key=queue_key)
        statuses = [b.status for b in picks]
    assert statuses == [BookingStatus.booked] * 6 + [BookingStatus.waitlisted] * (DELEGATES - 6)
    assert all(registrations[f"concurrent{n}@example.org"].status == RegistrationStatus.confirmed
               for n in range(DELEGATES))


def test_many_delegates_at_once_never_exceed_the_meetings_capacity(app, make_meeting, make_visit, make_registration):
    meeting = make_meeting(capacity=25)
    museum = make_visit(meeting, title="Maritime museum", capacity=100)
    for _ in range(20):  # 5 places left
        make_registration(meeting)
    calls = [register_call(app, meeting, n, visits=(museum,)) for n in range(DELEGATES)]

    assert all_at_once(calls) == [303] * DELEGATES

    registrations = check_places(app, meeting)
    newcomers = sorted((registrations[f"concurrent{n}@example.org"] for n in range(DELEGATES)), key=queue_key)
    assert [r.status for r in newcomers] == [RegistrationStatus.confirmed] * 5 + \
        [RegistrationStatus.waitlisted] * (DELEGATES - 5)
    with app.app_context():
        # A delegate still waiting for the meeting waits for the visit too, however many places it has.
        booked = db.session.scalars(select(Registration.email).join(VisitBooking).where(
            VisitBooking.visit_id == museum.id, VisitBooking.status == BookingStatus.booked)).all()
    assert sorted(booked) == sorted(r.email for r in newcomers[:5])


def test_cancellations_and_registrations_at_once_promote_without_overfilling(app, make_meeting, make_visit,
                                                                            make_registration):
    meeting = make_meeting(capacity=12)
    tour = make_visit(meeting, title="Port tour by boat", capacity=6)
    holders = [make_registration(meeting, visits=(tour,) if n < 6 else ()) for n in range(12)]  # both full
    first_calls = [register_call(app, meeting, n, visits=(tour,)) for n in range(10)]
    assert all_at_once(first_calls) == [303] * 10  # ten delegates now wait for the meeting and the tour

    leaving = holders[:3] + holders[8:11]  # three with a place on the tour, three without
    calls = [cancel_call(app, r) for r in leaving] + \
        [register_call(app, meeting, n, visits=(tour,)) for n in range(10, 10 + DELEGATES - len(leaving))]
    assert all_at_once(calls) == [303] * DELEGATES

    registrations = check_places(app, meeting)
    assert all(registrations[r.email].status == RegistrationStatus.cancelled for r in leaving)
    confirmed = [r for r in registrations.values() if r.status == RegistrationStatus.confirmed]
    assert len(confirmed) == meeting.capacity
    # The six freed places went to the six who had waited longest (the first wave), whatever the
    # registrations arriving at the same moment did.
    first_wave = sorted((registrations[f"concurrent{n}@example.org"] for n in range(10)), key=queue_key)
    assert [r.status for r in first_wave] == [RegistrationStatus.confirmed] * 6 + [RegistrationStatus.waitlisted] * 4
    assert all(registrations[f"concurrent{n}@example.org"].status == RegistrationStatus.waitlisted
               for n in range(10, 10 + DELEGATES - len(leaving)))


def test_desks_checking_in_the_same_delegate_at_once_record_one_arrival(app, make_meeting, make_user,
                                                                         make_registration):
    meeting = make_meeting()
    delegate = make_registration(meeting, first_name="Iñaki", last_name="Goñi")
    staff = make_user(organiser=True)
    url = f"/manage/meetings/{meeting.slug}/checkin/{delegate.id}/arrival"
    desks = []
    for _ in range(8):
        client = app.test_client()
        client.login(staff.email)
        desks.append((client, client.csrf_token()))

    responses = all_at_once([lambda client=client, token=token: client.post(url, data={"csrf_token": token})
                             for client, token in desks])

    assert [response.status_code for response in responses] == [303] * len(desks)
    pages = [client.get(response.headers["Location"]).get_data(as_text=True)
             for (client, _), response in zip(desks, responses)]
    assert sum("Iñaki Goñi checked in at" in page for page in pages) == 1
    assert sum("Iñaki Goñi was already checked in at" in page for page in pages) == len(desks) - 1
