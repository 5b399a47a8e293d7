"""Field-visit roll call: who is on board, who is missing, who is back ashore.

A mark is one conditional UPDATE (set the time only where none is set; clear it only where one is set),
so the same mark sent twice by a phone that lost its network, or by two guides at once, counts once
and keeps the first time. Functions flush; the caller commits.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from portmeet import audit
from portmeet.checkin.tokens import registration_by_checkin_token
from portmeet.registration import mail, waitlist
from portmeet.registration.service import RegistrationError, pick_problems
from portmeet.timeutil import utcnow

# A mark made offline carries the phone's time; one older than this (a phone clock far off, or a
# queue forgotten for days) is stored with the time the server received it instead.
OLDEST_CLIENT_MARK = timedelta(hours=24)


class Step(str, enum.Enum):
    """The two passes of a roll call, and the booking column each one fills."""

    board = "board"
    ashore = "ashore"

    @property
    def column(self):
        return VisitBooking.boarded_at if self is Step.board else VisitBooking.returned_at

    @property
    def attribute(self) -> str:
        return "boarded_at" if self is Step.board else "returned_at"


class MarkOutcome(enum.Enum):
    marked = "marked"
    already = "already"  # marked before (by this phone or another): nothing changed
    needs_confirmation = "needs_confirmation"  # waiting for a place: only "board anyway" boards them
    undone = "undone"
    not_marked = "not_marked"  # undo of a mark that is not there: nothing changed


class BoardingError(ValueError):
    """A roll-call rule refused the action; the message is for the guide."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def mark_time(client_time: datetime | None, now: datetime | None = None) -> datetime:
    """When to record a mark: the phone's time of the tap (a mark queued offline is sent later),
    unless that time is in the future or implausibly old; naive UTC."""
    now = now or utcnow()
    if client_time is None or client_time > now or client_time < now - OLDEST_CLIENT_MARK:
        return now
    return client_time


def needs_confirmation(booking: VisitBooking) -> bool:
    return booking.status != BookingStatus.booked


def mark(booking: VisitBooking, step: Step, at: datetime | None = None, confirmed: bool = False) -> MarkOutcome:
    """Mark the delegate of this booking on board (or back ashore), once: the first time is kept."""
    if getattr(booking, step.attribute) is not None:
        return MarkOutcome.already
    if step is Step.board and needs_confirmation(booking) and not confirmed:
        return MarkOutcome.needs_confirmation
    result = db.session.execute(
        update(VisitBooking)
        .where(VisitBooking.id == booking.id, step.column.is_(None))
        .values({step.attribute: mark_time(at)})
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(booking, [step.attribute])
    if result.rowcount != 1:
        return MarkOutcome.already
    _record(booking, "boarding.boarded" if step is Step.board else "boarding.returned",
            {"anyway": True} if needs_confirmation(booking) else None)
    return MarkOutcome.marked


def undo(booking: VisitBooking, step: Step) -> MarkOutcome:
    """Clear a mistaken mark; nothing happens when there is none (an undo sent twice counts once)."""
    result = db.session.execute(
        update(VisitBooking)
        .where(VisitBooking.id == booking.id, step.column.is_not(None))
        .values({step.attribute: None})
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(booking, [step.attribute])
    if result.rowcount != 1:
        return MarkOutcome.not_marked
    _record(booking, "boarding.undone", {"step": step.value})
    return MarkOutcome.undone


def _record(booking: VisitBooking, kind: str, details: dict | None = None) -> None:
    """One entry of the meeting's audit trail about the delegate: who marked whom on which visit."""
    visit = booking.visit
    companion = {"accompanying": booking.companion.full_name} if booking.companion_id is not None else {}
    audit.record(visit.meeting_id, kind, subject=booking.registration,
                 details={"visit": visit.title, "visit_id": visit.id, **companion, **(details or {})})


# --- the list and its counts ----------------------------------------------------------------------

@dataclass
class RollCallCounts:
    booked: int = 0
    on_board: int = 0  # everyone marked on board, including waiting ones boarded anyway
    back: int = 0
    booked_on_board: int = 0
    back_of_boarded: int = 0

    @property
    def missing(self) -> int:
        """Booked, not yet on board."""
        return self.booked - self.booked_on_board

    @property
    def still_out(self) -> int:
        """On board, not yet back ashore."""
        return self.on_board - self.back_of_boarded


@dataclass
class RollCall:
    visit: FieldVisit
    booked: list[VisitBooking]  # by last name
    waiting: list[VisitBooking]  # in queue order
    counts: RollCallCounts = field(default_factory=RollCallCounts)

    @property
    def places_left(self) -> int:
        return max(self.visit.capacity - len(self.booked), 0)


def _name_key(booking: VisitBooking) -> tuple:
    person = booking.person
    return (person.last_name.casefold(), person.first_name.casefold(), booking.id)


def roll_call(visit: FieldVisit) -> RollCall:
    """The visit's booked delegates by name and, apart, those waiting for a place, with the counts."""
    bookings = db.session.scalars(
        select(VisitBooking).options(joinedload(VisitBooking.registration), joinedload(VisitBooking.companion))
        .join(Registration, Registration.id == VisitBooking.registration_id)
        .where(VisitBooking.visit_id == visit.id, Registration.status != RegistrationStatus.cancelled)
        .order_by(VisitBooking.created_at, VisitBooking.id)
    ).all()
    booked = sorted((b for b in bookings if b.status == BookingStatus.booked), key=_name_key)
    waiting = [b for b in bookings if b.status != BookingStatus.booked]
    return RollCall(visit, booked, waiting, counts_of(bookings))


def counts_of(bookings: list[VisitBooking]) -> RollCallCounts:
    counts = RollCallCounts()
    for booking in bookings:
        is_booked = booking.status == BookingStatus.booked
        counts.booked += is_booked
        if booking.boarded_at is not None:
            counts.on_board += 1
            counts.booked_on_board += is_booked
            counts.back_of_boarded += booking.returned_at is not None
        counts.back += booking.returned_at is not None
    return counts


@dataclass
class BoardingMarks:
    boarded_at: datetime | None
    returned_at: datetime | None


def marks_by_person(visit: FieldVisit) -> dict[tuple[int, int | None], BoardingMarks]:
    """Person (`person_key`: registration id, companion id or None) → their roll-call times on this visit
    (for the manifest), in one query."""
    rows = db.session.execute(
        select(VisitBooking.registration_id, VisitBooking.companion_id, VisitBooking.boarded_at,
               VisitBooking.returned_at)
        .where(VisitBooking.visit_id == visit.id)
    )
    return {(registration_id, companion_id): BoardingMarks(boarded, returned)
            for registration_id, companion_id, boarded, returned in rows}


@dataclass
class VisitAttendance:
    boarded: int
    no_shows: int  # booked and never marked on board


def attendance_by_visit(meeting: Meeting) -> dict[int, VisitAttendance]:
    """For every visit of the meeting whose roll call has begun (someone marked on board): how many
    boarded and how many booked delegates did not, in one grouped query."""
    is_booked = VisitBooking.status == BookingStatus.booked
    rows = db.session.execute(
        select(
            VisitBooking.visit_id,
            func.count(VisitBooking.boarded_at),
            func.sum(case((is_booked & VisitBooking.boarded_at.is_(None), 1), else_=0)),
        )
        .join(FieldVisit, FieldVisit.id == VisitBooking.visit_id)
        .where(FieldVisit.meeting_id == meeting.id)
        .group_by(VisitBooking.visit_id)
    )
    return {visit_id: VisitAttendance(boarded, no_shows or 0) for visit_id, boarded, no_shows in rows if boarded}


# --- badges scanned at the quay -------------------------------------------------------------------

def checkin_code_from_scan(scanned: str) -> str:
    """The signed check-in code from what a badge's QR holds (the check-in URL) or from the code alone."""
    text = (scanned or "").strip()
    if "/" in text:
        path = urlsplit(text).path.rstrip("/")
        text = unquote(path.rsplit("/", 1)[-1])
    return text


def registration_from_scan(meeting: Meeting, scanned: str) -> Registration | None:
    """The meeting's registration whose badge was scanned; None for any other code."""
    code = checkin_code_from_scan(scanned)
    if not code or len(code) > 200:
        return None
    return registration_by_checkin_token(meeting, code)


def booking_of(visit: FieldVisit, registration: Registration) -> VisitBooking | None:
    """The delegate's own booking (a scanned badge is theirs, never their companions')."""
    return db.session.scalar(select(VisitBooking).where(
        VisitBooking.visit_id == visit.id, VisitBooking.registration_id == registration.id,
        VisitBooking.companion_id.is_(None)))


def can_add(visit: FieldVisit, registration: Registration) -> str | None:
    """Why staff cannot add this delegate to the visit at the quay, or None if they can: a place must
    be left once the delegates already waiting for one are counted (they come first)."""
    if registration.status != RegistrationStatus.confirmed:
        return _("%(name)s has no confirmed place at the meeting.", name=registration.full_name)
    count = waitlist.eligible_counts([visit.id])[visit.id]
    if visit.capacity - count.booked - count.waitlisted <= 0:
        return _("No place is left on this visit.")
    others = [b.visit for b in registration.bookings if b.visit_id != visit.id and b.status == BookingStatus.booked]
    problems = pick_problems([visit, *others], {}, visit.meeting.local_now().date(), registration, deadlines=False)
    return problems[0][1] if problems else None


def add_and_board(visit: FieldVisit, registration: Registration) -> VisitBooking:
    """Book a delegate who is not on the visit's list, at the quay, under the waitlist rules and locks,
    if a place is left; and mark them on board. Raises RegistrationError with the reason otherwise."""
    waitlist.lock_meeting(visit.meeting)
    waitlist.lock_visits([visit.id])
    if booking_of(visit, registration) is not None:
        raise RegistrationError(_("%(name)s is already on this visit's list.", name=registration.full_name))
    refusal = can_add(visit, registration)
    if refusal:
        raise RegistrationError(refusal)
    promotions = waitlist.Promotions()
    waitlist.book(registration, [visit], promotions)
    db.session.flush()
    booking = booking_of(visit, registration)
    _record(booking, "boarding.added")
    mark(booking, Step.board)
    mail.queue_promotions(promotions, skip=registration)
    return booking
