"""A registration's rows written by direct INSERTs (portmeet/direct_insert.py, the registration's hot path) are
the rows the ORM's flush writes, and the objects are the session's loaded rows afterwards."""
import pytest
from sqlalchemy import func, inspect, select

from portmeet.direct_insert import insert_with_children
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration import service
from portmeet.registration.companions import CompanionData
from portmeet.registration.errors import RegistrationError
from portmeet.registration.models import (
    BookingStatus,
    OutboxMessage,
    Registration,
    RegistrationLink,
    RegistrationStatus,
    VisitBooking,
)
from portmeet.timeutil import utcnow


def new_registration(meeting: Meeting, visit, email: str) -> Registration:
    registration = Registration(meeting=meeting, language="fr", bookings=[], signups=[], companions=[], links=[],
                                first_name="Iñaki", last_name="Etxeberria", email=email, email_normalized=email,
                                organisation="Port of Bilbao", country="ES", status=RegistrationStatus.confirmed,
                                created_at=utcnow(), nationality="ES", id_number="X1234567")
    registration.set_new_token()
    registration.bookings.append(VisitBooking(visit=visit, status=BookingStatus.waitlisted, created_at=utcnow()))
    return registration


def row(model, object_id, leave_out=()) -> dict:
    """The row as the database holds it, read afresh."""
    columns = [column for column in model.__table__.columns if column.key not in ("id", *leave_out)]
    return dict(db.session.execute(select(*columns).where(model.__table__.c.id == object_id)).mappings().one())


def test_a_registration_written_directly_is_the_row_the_orm_writes(app, make_meeting, make_visit):
    meeting = make_meeting()
    visit = make_visit(meeting, title="Container terminal", capacity=1)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting.id)
        visit = db.session.get(type(visit), visit.id)
        by_orm = new_registration(meeting, visit, "orm@example.org")
        db.session.add(by_orm)
        db.session.flush()
        direct = new_registration(meeting, visit, "direct@example.org")
        insert_with_children(direct, "links", "bookings", "signups")
        # In the session as a loaded row with its children: nothing more to write, nothing to load.
        state = inspect(direct)
        assert state.persistent and not state.expired_attributes and direct in db.session
        assert all(inspect(child).persistent for child in (*direct.links, *direct.bookings))
        assert not db.session.new and not db.session.dirty
        db.session.commit()
        varying = ("email", "email_normalized", "token_hash", "created_at", "updated_at")
        assert row(Registration, direct.id, varying) == row(Registration, by_orm.id, varying)
        assert row(Registration, direct.id)["updated_at"] is not None  # the column's default, written
        booking_of = {r.id: r.bookings[0].id for r in (by_orm, direct)}
        assert row(VisitBooking, booking_of[direct.id], ("registration_id", "created_at")) == \
            row(VisitBooking, booking_of[by_orm.id], ("registration_id", "created_at"))
        assert row(VisitBooking, booking_of[direct.id])["registration_id"] == direct.id
        assert row(VisitBooking, booking_of[direct.id])["visit_id"] == visit.id
        assert [link.registration_id for link in direct.links] == [direct.id]
        # Changed afterwards, it is written by the ORM's flush like any loaded row.
        direct.organisation = "Bilbao Port Authority"
        direct.bookings[0].status = BookingStatus.booked
        db.session.commit()
        assert row(Registration, direct.id)["organisation"] == "Bilbao Port Authority"
        assert row(VisitBooking, booking_of[direct.id])["status"] == BookingStatus.booked


def test_a_registration_refused_after_its_rows_were_written_leaves_nothing_behind(app, make_meeting, make_visit):
    """A partner's row refused once the delegate's rows are written: the rollback takes them out of the session
    too, so the next registration of the same session is written and kept (SQLite hands out the same id again)."""
    meeting = make_meeting()
    visit = make_visit(meeting, title="Container terminal", capacity=5)
    data = dict(first_name="Ana", last_name="Ruiz", organisation="Port of Valencia", country="ES", visits=[visit.id])
    with app.app_context():
        meeting = db.session.get(Meeting, meeting.id)
        with pytest.raises(RegistrationError) as refusal:
            service.register(meeting, {**data, "email": "ana@example.org",
                                       "companions": [CompanionData(first_name="", last_name="Ruiz", country="ES")]})
        refused = refusal.value.__traceback__.tb_next.tb_frame.f_locals["registration"]  # as a logged error keeps it
        db.session.rollback()
        assert refused not in db.session and not inspect(refused).persistent
        registration, _token = service.register(db.session.get(Meeting, meeting.id),
                                                {**data, "email": "luis@example.org"})
        db.session.commit()
        assert db.session.scalars(select(Registration.email)).all() == ["luis@example.org"]
        assert db.session.scalar(select(func.count()).select_from(RegistrationLink)) == 1
        assert [(b.visit_id, b.status) for b in registration.bookings] == [(visit.id, BookingStatus.booked)]


def test_a_value_left_out_or_none_is_written_as_the_orm_writes_it(app):
    """None on a column with a default takes the default; a column given nothing is NULL (not JSON's null)."""
    with app.app_context():
        by_orm = OutboxMessage(recipient="ana@example.org", subject="Hello", body="", attempts=None)
        db.session.add(by_orm)
        db.session.flush()
        direct = OutboxMessage(recipient="ana@example.org", subject="Hello", body="", attempts=None)
        insert_with_children(direct)
        db.session.commit()
        for message in (by_orm, direct):
            assert db.session.execute(select(OutboxMessage.attempts, OutboxMessage.decision.is_(None))
                                      .where(OutboxMessage.id == message.id)).one() == (0, True)
        assert direct.attempts == 0 and direct.decision is None


def test_each_pick_written_with_its_registration_gets_its_own_row_id(app, make_meeting, make_visit):
    """Several picks written with their registration (on PostgreSQL in the same statement): each object holds the id
    of its own row, so a later change to one pick changes that pick."""
    meeting = make_meeting()
    visits = [make_visit(meeting, title=title, capacity=5) for title in ("Boat", "Museum", "Laboratory")]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting.id)
        registration = new_registration(meeting, db.session.get(type(visits[0]), visits[0].id), "ana@example.org")
        for visit in visits[1:]:
            registration.bookings.append(VisitBooking(visit=db.session.get(type(visit), visit.id),
                                                      status=BookingStatus.booked, created_at=utcnow()))
        insert_with_children(registration, "links", "bookings", "signups")
        db.session.commit()
        for booking in registration.bookings:
            assert row(VisitBooking, booking.id)["visit_id"] == booking.visit_id
            assert row(VisitBooking, booking.id)["status"] == booking.status
        assert len({booking.id for booking in registration.bookings}) == 3
        assert row(RegistrationLink, registration.links[0].id)["registration_id"] == registration.id
