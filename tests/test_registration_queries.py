"""The registration path's database work, pinned: a registration costs a fixed, small number of queries,
however long the waitlists, and the positions its e-mail prints (known from the decision, not counted
again under the locks) are the queue's."""
import re
from datetime import time

import pytest
from sqlalchemy import event, select

from portmeet.extensions import db
from portmeet.meetings.models import SessionKind
from portmeet.registration import mail, waitlist
from portmeet.registration.models import BookingStatus, OutboxMessage, Registration, RegistrationStatus
from tests.conftest import ON_POSTGRES
from tests.test_registration import form_data, token_of

# Statements for a fresh form, and for a registration with two picks (SQLite counts BEGIN too).
# The form counts the meeting's registrations too: a full meeting says so before the form (issue 12), and
# reads the meals and social events that take sign-ups and their places (issue 14), not the whole programme
# and its speakers. Once its page is kept (registration/form_page.py), a stranger's form reads only the meeting
# and the places: the meeting's, the visits' and the meals'.
FORM_QUERIES_FIRST = 8
FORM_QUERIES = 5
# A meeting asking no questions costs no query for them once its form was built (issue 14: kept per process with
# the meeting's content version); the private link has its own row. The e-mail's look-up shares the meeting's
# counts; the duplicate is found under the lock only. The confirmation is queued with its decision and written by
# the sender: no second transaction (it was 14 statements with one, then 12). On PostgreSQL the delegate's row, link
# and picks, and its confirmation's row, are one statement (INSERTs in a WITH clause, portmeet/direct_insert.py); on
# both, the meeting's counts and the picked visits' (locked) are one statement.
REGISTRATION_QUERIES = 5 if ON_POSTGRES else 10


def statements_of(app, call) -> tuple[object, list[str]]:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        return call(), statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def full_visits(make_meeting, make_visit, make_session):
    meeting = make_meeting(capacity=3)
    # A programme with speakers, and a dinner taking sign-ups: the form reads only the dinner.
    make_session(meeting, speakers=[("Ana Ruiz", "Port of Valencia", "ES")])
    make_session(meeting, title="Farewell dinner", kind=SessionKind.meal, start_time=time(20), end_time=time(22),
                 capacity=30)
    boat = make_visit(meeting, title="Port tour by boat", capacity=1)
    centre = make_visit(meeting, title="Port Center", start_time=time(18), end_time=time(19), capacity=1)
    return meeting, boat, centre


@pytest.mark.parametrize("waiting", [0, 1, 8])
def test_a_registration_costs_the_same_few_queries_however_long_the_queues(app, client, full_visits, make_registration,
                                                                              waiting):
    meeting, boat, centre = full_visits
    with app.app_context():
        db.session.get(type(meeting), meeting.id).capacity = 100
        db.session.commit()
    make_registration(meeting, visits=(boat, centre))  # both visits full
    for _ in range(waiting):  # delegates with a place at the meeting, waiting for the boat
        registration = make_registration(meeting, visits=(boat,))
        with app.app_context():
            for booking in db.session.get(Registration, registration.id).bookings:
                booking.status = BookingStatus.waitlisted
            db.session.commit()
    for most in (FORM_QUERIES_FIRST, FORM_QUERIES):  # the page rendered, then the page kept
        form, form_statements = statements_of(app, lambda: client.get(f"/meetings/{meeting.slug}/register"))
        assert form.status_code == 200
        assert len(form_statements) <= most, form_statements
    data = {**form_data(visits=[str(boat.id), str(centre.id)]), "csrf_token": client.csrf_token()}
    response, statements = statements_of(app, lambda: client.post(f"/meetings/{meeting.slug}/register", data=data))
    token_of(response)
    assert len(statements) <= REGISTRATION_QUERIES, "\n".join(statements)


def test_the_confirmation_prints_the_queue_positions_counted_afresh(app, client, full_visits, make_registration):
    """Registered while the meeting and both visits are full and others wait: the e-mail's positions are
    those the queues give when counted from the database afterwards."""
    meeting, boat, centre = full_visits
    for _ in range(3):  # the meeting is full, both visits too
        make_registration(meeting, visits=(boat, centre))
    with app.app_context():
        for registration in db.session.scalars(select(Registration).order_by(Registration.id)).all()[1:]:
            for booking in registration.bookings:  # the first one has the places, the others wait
                booking.status = BookingStatus.waitlisted
        db.session.commit()
    waiting = make_registration(meeting, status=RegistrationStatus.waitlisted, email="waiting@example.org")
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(visits=[str(boat.id)])))
    assert token_of(client.post_form(f"/meetings/{meeting.slug}/register",
                                     form_data(email="next@example.org", visits=[str(boat.id), str(centre.id)])))
    with app.app_context():
        mail.write_confirmations()  # as the sender does first: a confirmation's text, from its decision
        for email in ("ana.ruiz@example.org", "next@example.org"):
            registration = db.session.scalar(select(Registration).where(Registration.email == email))
            assert registration.status == RegistrationStatus.waitlisted
            body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)).one()
            position = waitlist.registration_position(registration)
            assert position == (2 if email == "ana.ruiz@example.org" else 3)
            assert f"number {position} on the waiting list" in body
            positions = waitlist.pick_positions(registration)
            assert len(positions) == len(registration.bookings)
            for booking in registration.bookings:
                # Someone waiting for the meeting itself: the picks wait with them, no place in a visit's line yet.
                assert re.search(rf"- {booking.visit.title} \(.*\): waitlist, until you have a place at the meeting\n",
                                 body)
    assert waiting.id and token
