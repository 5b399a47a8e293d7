"""Changes by the hosts that reach the delegates: places raised or lowered (meeting, visits, meals and
social events that take sign-ups), visits and sessions moved or deleted. Places go through `registration.waitlist` (its locks, counts and promotions); every
delegate concerned is told by e-mail in their own language. Functions flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import ngettext
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.registration import mail, notices, waitlist
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, SessionSignup, VisitBooking
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
    return _count(waitlist.VISITS, visit.id, (BookingStatus.booked,))


def _count(kind: waitlist.PlaceKind, place_id: int, statuses) -> int:
    return db.session.scalar(select(func.count()).select_from(kind.booking).where(
        kind.key_column == place_id, kind.booking.status.in_(statuses)))


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


def lock_session_places(session: ProgrammeSession, capacity: int | None) -> None:
    """Before a meal or social event changes: take the meeting's then the session's lock (the lock order
    of registration.waitlist), and refuse fewer places than are booked, or no places while sign-ups stand."""
    waitlist.lock_meeting(session.meeting)
    waitlist.lock_places(waitlist.SESSIONS, [session.id])
    if capacity is None:
        standing = _count(waitlist.SESSIONS, session.id, (BookingStatus.booked, BookingStatus.waitlisted))
        if standing:
            raise PlacesError(ngettext(
                "%(num)d person has signed up for this event: it keeps its places (delete the event to cancel "
                "the sign-ups).",
                "%(num)d people have signed up for this event: it keeps its places (delete the event to cancel "
                "the sign-ups).", standing))
        return
    booked = _count(waitlist.SESSIONS, session.id, (BookingStatus.booked,))
    if capacity < booked:
        raise PlacesError(ngettext(
            "%(num)d place is booked for this event: the places cannot be fewer than that.",
            "%(num)d places are booked for this event: the places cannot be fewer than that.", booked))


def fill_session_places(session: ProgrammeSession) -> waitlist.Promotions:
    """After an event's places changed (under its lock): the oldest waiting sign-ups get the free places."""
    promotions = waitlist.Promotions()
    if session.capacity is not None:
        waitlist.fill_places(waitlist.SESSIONS, [session.id], promotions)
    mail.queue_promotions(promotions)
    return promotions


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


def session_delegates(session: ProgrammeSession) -> list[Registration]:
    """Delegates booked or waiting for a meal or social event (not cancelled), by name; once each, however
    many places they hold."""
    signed_up = select(SessionSignup.registration_id).where(
        SessionSignup.session_id == session.id, SessionSignup.status != BookingStatus.cancelled)
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(signed_up), Registration.status != RegistrationStatus.cancelled)
        .order_by(func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id)
    ))


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
    return _remove_place(waitlist.VISITS, visit, visit_delegates(visit), notices.queue_visit_cancelled)


def remove_session(session: ProgrammeSession) -> VisitRemoval:
    """Delete a session nobody signed up for; cancel a meal or social event with sign-ups as a visit with
    bookings is cancelled: it leaves the programme and the counts, stays on its delegates' pages as
    cancelled, and each of them is told by e-mail."""
    lock_session_places(session, session.capacity)
    return _remove_place(waitlist.SESSIONS, session, session_delegates(session), notices.queue_session_cancelled)


def _remove_place(kind: waitlist.PlaceKind, place, delegates: list[Registration], queue_notice) -> VisitRemoval:
    """Erase a (locked) visit or session nobody took, else cancel it and its picks and tell `delegates`."""
    picks = db.session.scalars(select(kind.booking).where(kind.key_column == place.id)).all()
    if not picks:
        db.session.delete(place)
        db.session.flush()
        return VisitRemoval(cancelled=False, told=0)
    place.cancelled_at = utcnow()
    for pick in picks:
        pick.status = BookingStatus.cancelled
    db.session.flush()
    db.session.expire(place.meeting, [kind.name])
    for registration in delegates:
        db.session.expire(registration, [kind.picks, f"cancelled_{kind.picks}"])
        for companion in registration.companions:
            db.session.expire(companion, [kind.picks])
        queue_notice(registration, place)
    return VisitRemoval(cancelled=True, told=len(delegates))
