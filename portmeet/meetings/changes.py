"""Changes by the hosts that reach the delegates: places raised or lowered, visits and sessions moved
or deleted. Places go through `registration.waitlist` (its locks, counts and promotions); every
delegate concerned is told by e-mail in their own language. Functions flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import ngettext
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.registration import mail, notices, waitlist
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from portmeet.timeutil import utcnow

# What a delegate needs to hear about when it changes (the title or description they can read online).
VISIT_NOTICE_FIELDS = ("day", "start_time", "end_time", "meeting_point", "transport")
SESSION_NOTICE_FIELDS = ("day", "start_time", "end_time", "room")


class PlacesError(ValueError):
    """Fewer places than are taken: refused, with how many are taken."""

    def __init__(self, message: str, field: str = "capacity"):
        super().__init__(message)
        self.message = message
        self.field = field


# --- places ---------------------------------------------------------------------------------------

def booked_count(visit: FieldVisit) -> int:
    return db.session.scalar(select(func.count()).select_from(VisitBooking).where(
        VisitBooking.visit_id == visit.id, VisitBooking.status == BookingStatus.booked))


def lock_meeting_places(meeting: Meeting, capacity: int | None) -> None:
    """Before the meeting's capacity changes: take its lock and refuse fewer places than delegates with one."""
    waitlist.lock_meeting(meeting)
    if capacity is None:
        return
    confirmed = waitlist.registration_counts(meeting)[RegistrationStatus.confirmed]
    if capacity < confirmed:
        raise PlacesError(ngettext(
            "%(num)d delegate has a place at the meeting: the capacity cannot be lower than that.",
            "%(num)d delegates have a place at the meeting: the capacity cannot be lower than that.", confirmed))


def lock_visit_places(visit: FieldVisit, capacity: int | None) -> None:
    """Before a visit changes: take the meeting's then the visit's lock, and refuse fewer places than
    are booked."""
    waitlist.lock_meeting(visit.meeting)
    waitlist.lock_visits([visit.id])
    if capacity is None:
        return
    booked = booked_count(visit)
    if capacity < booked:
        raise PlacesError(ngettext(
            "%(num)d place is booked on this visit: the places cannot be fewer than that.",
            "%(num)d places are booked on this visit: the places cannot be fewer than that.", booked))


def fill_meeting_places(meeting: Meeting) -> waitlist.Promotions:
    """After the meeting's capacity changed (under its lock): the oldest waiting get the free places
    at once, and their e-mails are queued."""
    promotions = waitlist.promote_waitlists(meeting)
    mail.queue_promotions(promotions)
    return promotions


def fill_visit_places(visit: FieldVisit) -> waitlist.Promotions:
    """After a visit's places changed (under its lock): the oldest waiting picks get the free places."""
    promotions = waitlist.Promotions()
    waitlist.fill_visits([visit.id], promotions)
    mail.queue_promotions(promotions)
    return promotions


# --- change notices -------------------------------------------------------------------------------

def snapshot(item, fields: tuple[str, ...]) -> dict:
    return {name: getattr(item, name) for name in fields}


def _changes(item, before: dict) -> list[tuple[str, object, object]]:
    return [(name, old, getattr(item, name)) for name, old in before.items() if getattr(item, name) != old]


def visit_delegates(visit: FieldVisit) -> list[Registration]:
    """Delegates booked or waiting on the visit (not cancelled), by name; once each, whether they go
    themselves or only people accompanying them do (they receive the e-mails)."""
    on_visit = select(VisitBooking.registration_id).where(VisitBooking.visit_id == visit.id,
                                                          VisitBooking.status != BookingStatus.cancelled)
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(on_visit), Registration.status != RegistrationStatus.cancelled)
        .order_by(func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id)
    ))


def notify_visit_change(visit: FieldVisit, before: dict) -> int:
    """Tell each delegate booked or waiting on the visit what changed (old → new); returns how many."""
    changes = _changes(visit, before)
    if not changes:
        return 0
    delegates = visit_delegates(visit)
    for registration in delegates:
        notices.queue_visit_change(registration, visit, changes)
    return len(delegates)


def notify_session_change(session: ProgrammeSession, before: dict) -> int:
    """Tell each confirmed delegate of the meeting what changed in the session; returns how many."""
    changes = _changes(session, before)
    if not changes:
        return 0
    delegates = db.session.scalars(select(Registration).where(
        Registration.meeting_id == session.meeting_id, Registration.status == RegistrationStatus.confirmed,
    ).order_by(Registration.id)).all()
    for registration in delegates:
        notices.queue_session_change(registration, session, changes)
    return len(delegates)


# --- deleting -------------------------------------------------------------------------------------

@dataclass
class VisitRemoval:
    cancelled: bool  # kept as cancelled (it had bookings) rather than erased
    told: int  # delegates e-mailed


def remove_visit(visit: FieldVisit) -> VisitRemoval:
    """Delete a visit nobody picked; cancel one with bookings: it leaves the programme, the counts and
    the manifests, stays on its delegates' pages as cancelled, and each of them is told by e-mail."""
    lock_visit_places(visit, None)
    delegates = visit_delegates(visit)
    bookings = db.session.scalars(select(VisitBooking).where(VisitBooking.visit_id == visit.id)).all()
    if not bookings:
        db.session.delete(visit)
        db.session.flush()
        return VisitRemoval(cancelled=False, told=0)
    visit.cancelled_at = utcnow()
    for booking in bookings:
        booking.status = BookingStatus.cancelled
    db.session.flush()
    db.session.expire(visit.meeting, ["visits"])
    for registration in delegates:
        db.session.expire(registration, ["bookings", "cancelled_bookings"])
        for companion in registration.companions:
            db.session.expire(companion, ["bookings"])
        notices.queue_visit_cancelled(registration, visit)
    return VisitRemoval(cancelled=True, told=len(delegates))
