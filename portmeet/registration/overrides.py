"""Staff overrides of a delegate's visit picks: book them (over capacity when explicitly asked), move
them up from a waitlist, take a pick off. Under the waitlist locks; the delegate is told by e-mail.
Functions flush; the caller commits.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portmeet import audit
from portmeet.meetings.models import FieldVisit
from portmeet.extensions import db
from portmeet.registration import mail, notices, waitlist
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from portmeet.registration.service import RegistrationError
from portmeet.timeutil import utcnow


def _booked(visit: FieldVisit) -> int:
    return db.session.scalar(select(func.count()).select_from(VisitBooking).where(
        VisitBooking.visit_id == visit.id, VisitBooking.status == BookingStatus.booked))


def over_capacity(visit: FieldVisit, booked: int) -> int:
    """How many delegates staff booked beyond the visit's places (0 when within them)."""
    return max(booked - visit.capacity, 0)


def book_on_visit(registration: Registration, visit: FieldVisit, *, over_capacity_ok: bool = False) -> None:
    """Give the delegate a place on the visit: a new pick, or one moved up from the waitlist. When the
    visit is full this is refused unless `over_capacity_ok` (the staff member asked for it explicitly)."""
    if registration.status != RegistrationStatus.confirmed:
        raise RegistrationError(_("Only a delegate with a place at the meeting can be booked on a field visit."))
    waitlist.lock_meeting(registration.meeting)
    waitlist.lock_visits([visit.id])
    booking = next((b for b in registration.bookings if b.visit_id == visit.id), None)
    if booking is not None and booking.status == BookingStatus.booked:
        raise RegistrationError(_("%(name)s already has a place on “%(visit)s”.",
                                  name=registration.full_name, visit=visit.title))
    clash = next((b.visit for b in registration.bookings if b.visit_id != visit.id and b.visit.overlaps(visit)), None)
    if clash is not None:
        raise RegistrationError(_("“%(first)s” and “%(second)s” overlap in time; pick only one of them.",
                                  first=clash.title, second=visit.title))
    booked = _booked(visit)
    if booked >= visit.capacity and not over_capacity_ok:
        raise RegistrationError(_("“%(visit)s” is full (%(booked)d booked for %(places)d places): tick “over "
                                  "capacity” to book anyway.", visit=visit.title, booked=booked,
                                  places=visit.capacity), "over_capacity")
    if booking is None:
        registration.bookings.append(VisitBooking(visit=visit, status=BookingStatus.booked, created_at=utcnow()))
        kind = "registration.visit_booked_by_staff"
    else:
        booking.status = BookingStatus.booked
        kind = "registration.visit_moved_up_by_staff"
    db.session.flush()
    audit.record(registration.meeting, kind, subject=registration,
                 details={"visit": visit.title, "over_capacity": over_capacity(visit, booked + 1)})
    notices.queue_booked_by_staff(registration, visit)


def remove_pick(registration: Registration, visit: FieldVisit) -> None:
    """Take the pick off; a place it held goes to the oldest waiting pick."""
    waitlist.lock_meeting(registration.meeting)
    waitlist.lock_visits([visit.id])
    booking = next((b for b in registration.bookings if b.visit_id == visit.id), None)
    if booking is None:
        raise RegistrationError(_("%(name)s has not picked “%(visit)s”.", name=registration.full_name,
                                  visit=visit.title))
    registration.bookings.remove(booking)
    db.session.flush()
    promotions = waitlist.Promotions()
    waitlist.fill_visits([visit.id], promotions)
    audit.record(registration.meeting, "registration.visit_removed_by_staff", subject=registration,
                 details={"visit": visit.title})
    notices.queue_removed_by_staff(registration, visit)
    mail.queue_promotions(promotions)
