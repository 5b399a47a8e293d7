"""Sign-ups for a meal or social event under concurrency: many delegates sign up for the dinner at the
same moment, others cancel, the host raises its places, each from a connection of its own; the dinner
never holds more booked people than its places, and nobody waits beside a free place. On PostgreSQL
this exercises the row locks in their order (meeting, visits, sessions); on SQLite the BEGIN IMMEDIATE
transactions (see test_concurrency.py, whose fixtures these are)."""
from datetime import time

from sqlalchemy import select

from portmeet.extensions import db
from portmeet.meetings.models import ProgrammeSession, SessionKind
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, SessionSignup
from portmeet.registration.waitlist import signup_positions
from tests.test_capacity_concurrency import HOST, host_call
from tests.test_concurrency import (  # noqa: F401
    DELEGATES,
    all_at_once,
    app,
    cancel_call,
    check_places,
    form_data,
    queue_key,
)
from tests.test_meal_signups import session_form


def sign_up_call(app, meeting, n: int, sessions=(), visits=()):
    """A delegate with the form open, dinner ticked, about to press "Register"."""
    client = app.test_client()
    data = form_data(n, visits)
    data["signups"] = [str(session.id) for session in sessions]
    data["csrf_token"] = client.csrf_token()
    return lambda: client.post(f"/meetings/{meeting.slug}/register", data=data).status_code


def check_signups(app, session_id: int) -> list[SessionSignup]:
    """Assert the places rules on the event's sign-ups; return them in queue order."""
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        signups = sorted(db.session.scalars(select(SessionSignup).where(SessionSignup.session_id == session_id)),
                         key=queue_key)
        booked = [s for s in signups if s.status == BookingStatus.booked]
        eligible = [s for s in signups if s.status == BookingStatus.waitlisted
                    and s.registration.status == RegistrationStatus.confirmed]
        assert len(booked) <= session.capacity
        assert all(s.registration.status == RegistrationStatus.confirmed for s in booked)
        if eligible:
            assert len(booked) == session.capacity
        assert [signup_positions(s.registration)[s.id] for s in eligible] == list(range(1, len(eligible) + 1))
        db.session.expunge_all()
        return signups


def test_many_delegates_signing_up_at_once_never_overbook_the_dinner(app, make_meeting, make_session, make_visit):
    meeting = make_meeting(capacity=200)
    dinner = make_session(meeting, title="Social dinner", kind=SessionKind.social, capacity=7,
                          start_time=time(20), end_time=time(23))
    tour = make_visit(meeting, title="Port tour by boat", capacity=5)
    # Half of them pick the boat too: the visit's and the dinner's locks are taken in one order.
    calls = [sign_up_call(app, meeting, n, sessions=(dinner,), visits=(tour,) if n % 2 else ())
             for n in range(DELEGATES)]

    assert all_at_once(calls) == [303] * DELEGATES

    check_places(app, meeting)
    signups = check_signups(app, dinner.id)
    assert [s.status for s in signups] == [BookingStatus.booked] * 7 + [BookingStatus.waitlisted] * (DELEGATES - 7)


def test_cancellations_sign_ups_and_more_places_at_once_promote_the_oldest_without_overfilling(
        app, make_meeting, make_session, make_user):
    meeting = make_meeting(capacity=200)
    dinner = make_session(meeting, title="Social dinner", kind=SessionKind.social, capacity=6,
                          start_time=time(20), end_time=time(23), room="Terrace")
    make_user(email=HOST, hosts=(meeting,))
    first = [sign_up_call(app, meeting, n, sessions=(dinner,)) for n in range(12)]
    assert all_at_once(first) == [303] * 12  # six with a place, six waiting

    with app.app_context():
        holders = db.session.scalars(
            select(Registration).join(SessionSignup).where(SessionSignup.status == BookingStatus.booked)
            .order_by(Registration.id).limit(2)).all()
        tokens = []
        for holder in holders:  # a fresh private link for each (the form's link was shown once)
            holder.token = holder.set_new_token()
            tokens.append(holder.token)
        db.session.commit()
        leaving = [type("Leaving", (), {"token": token})() for token in tokens]
        dinner_row = db.session.get(ProgrammeSession, dinner.id)
        db.session.expunge(dinner_row)
    url = f"/manage/meetings/{meeting.slug}/sessions/{dinner.id}/edit"
    calls = [host_call(app, url, session_form(dinner_row, capacity="9"))] + \
        [cancel_call(app, r) for r in leaving] + \
        [sign_up_call(app, meeting, n, sessions=(dinner,)) for n in range(12, 12 + DELEGATES - 3)]
    assert all_at_once(calls) == [303] * DELEGATES

    signups = check_signups(app, dinner.id)
    booked = [s for s in signups if s.status == BookingStatus.booked]
    assert len(booked) == 9
    with app.app_context():
        emails = {r.id: r.email for r in db.session.scalars(select(Registration))}
    # The five freed or new places went to the five who had waited longest (the first wave).
    first_wave = {f"concurrent{n}@example.org" for n in range(12)}
    assert sum(emails[s.registration_id] in first_wave for s in booked) == 9
