"""A registration's rows written by direct INSERTs (portmeet/direct_insert.py, the registration's hot path) are
the rows the ORM's flush writes, and the objects are the session's loaded rows afterwards."""
from sqlalchemy import inspect, select

from portmeet.direct_insert import insert_with_children
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
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
