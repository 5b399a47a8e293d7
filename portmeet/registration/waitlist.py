"""The waitlist rules: locks, counts, queue positions and promotions for meeting and visit places.

Every change of places goes through these functions, whoever makes it (a delegate registering,
changing picks or cancelling, a host changing a capacity or deleting a visit, an organiser's override).

Lock order, the same for every change, so two changes never wait for each other in a circle:

1. the meeting row (`lock_meeting`): serialises the meeting's capacity count, the duplicate e-mail
   check and the waitlist order (creation times are taken under it);
2. the visit rows, in id order (`lock_visits`), before counting or changing their bookings.

On PostgreSQL these are `SELECT … FOR UPDATE` row locks, taken with `SET LOCAL lock_timeout` so that
a stuck transaction makes the others fail (a 503, nothing half-saved) instead of queueing forever;
on SQLite every transaction is already BEGIN IMMEDIATE. Functions flush and never commit.

Promotions are collected in a `Promotions` record; the caller queues the e-mails (registration.mail
imports this module for the positions it prints, so this module never imports mail).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking
from portmeet.timeutil import utcnow

DEFAULT_LOCK_TIMEOUT_MS = 25_000


# --- locks ----------------------------------------------------------------------------------------

def _set_lock_timeout() -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    # SET LOCAL lasts until the end of this transaction only; the pooled connection keeps no trace. Once
    # per transaction: the meeting's and the visits' locks are taken in the same one.
    db.session.connection()  # begins the transaction if none is open yet
    transaction = db.session().get_transaction()
    if getattr(transaction, "portmeet_lock_timeout", False):
        return
    milliseconds = int(current_app.config.get("LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS))
    db.session.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
    transaction.portmeet_lock_timeout = True


def lock_meeting(meeting: Meeting) -> None:
    """Take the meeting's row lock: first of every change of places (see the module's lock order).
    Its capacity is read again under the lock: one read earlier in the request (by the form) may have
    been changed by the host whose lock this one waited for."""
    _set_lock_timeout()
    capacity = db.session.scalar(select(Meeting.capacity).where(Meeting.id == meeting.id).with_for_update())
    if capacity is not None and meeting.capacity != capacity:
        set_committed_value(meeting, "capacity", capacity)


def lock_visits(visit_ids) -> None:
    """Take the row locks of these visits, in id order, after the meeting's; their places are read
    again under the lock, as for the meeting."""
    visit_ids = sorted(set(visit_ids or ()))
    if visit_ids:
        _set_lock_timeout()
        rows = db.session.execute(
            select(FieldVisit.id, FieldVisit.capacity).where(FieldVisit.id.in_(visit_ids)).order_by(FieldVisit.id)
            .with_for_update()
        ).all()
        for visit_id, capacity in rows:
            visit = db.session.identity_map.get(identity_key(FieldVisit, visit_id))
            if visit is not None and visit.capacity != capacity:
                set_committed_value(visit, "capacity", capacity)


# --- counts ---------------------------------------------------------------------------------------

@dataclass
class VisitCount:
    capacity: int
    booked: int = 0
    waitlisted: int = 0

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)


def visit_counts(meeting: Meeting) -> dict[int, VisitCount]:
    """Booked and waitlisted counts of every field visit of the meeting, in one query."""
    counts = {visit.id: VisitCount(visit.capacity) for visit in meeting.visits}
    rows = db.session.execute(
        select(VisitBooking.visit_id, VisitBooking.status, func.count())
        .where(VisitBooking.visit_id.in_(counts.keys()))
        .group_by(VisitBooking.visit_id, VisitBooking.status)
    )
    for visit_id, status, number in rows:
        setattr(counts[visit_id], "booked" if status == BookingStatus.booked else "waitlisted", number)
    return counts


def registration_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    """How many registrations of the meeting are confirmed, waitlisted, cancelled."""
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.meeting_id == meeting.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(status): number for status, number in rows})
    return counts


def registration_counts_and_id(meeting: Meeting, email_normalized: str) -> tuple[dict[RegistrationStatus, int], int | None]:
    """`registration_counts`, and the id of the meeting's registration with this (normalised) e-mail if any, in
    one query (a registration reads both under the meeting's lock)."""
    statuses = list(RegistrationStatus)
    row = db.session.execute(
        select(*(func.count().filter(Registration.status == status) for status in statuses),
               func.max(Registration.id).filter(Registration.email_normalized == email_normalized))
        .where(Registration.meeting_id == meeting.id)
    ).one()
    return dict(zip(statuses, row[:-1])), row[-1]


def meeting_is_full(meeting: Meeting) -> bool:
    """No place left for a new delegate: every place taken, or others already waiting for one."""
    counts = registration_counts(meeting)
    return counts[RegistrationStatus.confirmed] >= meeting.capacity or counts[RegistrationStatus.waitlisted] > 0


def eligible_counts(visit_ids) -> dict[int, VisitCount]:
    """Per visit: places taken, and picks of confirmed delegates waiting for one (a delegate still
    waiting for a place at the meeting waits for visit places too)."""
    counts = {visit_id: VisitCount(0) for visit_id in visit_ids}
    if not counts:
        return counts
    rows = db.session.execute(
        select(VisitBooking.visit_id, VisitBooking.status, func.count())
        .join(Registration, Registration.id == VisitBooking.registration_id)
        .where(VisitBooking.visit_id.in_(counts.keys()), Registration.status == RegistrationStatus.confirmed)
        .group_by(VisitBooking.visit_id, VisitBooking.status)
    )
    for visit_id, status, number in rows:
        setattr(counts[visit_id], "booked" if status == BookingStatus.booked else "waitlisted", number)
    return counts


# --- positions ------------------------------------------------------------------------------------

def queue_order(model):
    """The order of a waitlist: the time the row was taken under the lock, then its id."""
    return (model.created_at, model.id)


def waiting_for_the_meeting(meeting_id: int) -> list[int]:
    """Ids of the meeting's waitlisted registrations, first in line first."""
    return db.session.scalars(
        select(Registration.id).where(Registration.meeting_id == meeting_id,
                                      Registration.status == RegistrationStatus.waitlisted)
        .order_by(*queue_order(Registration))
    ).all()


def registration_position(registration: Registration) -> int | None:
    """1 for the next delegate to get a place at the meeting; None unless waiting."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    if registration.__dict__.get("known_position"):  # set by `register` in this transaction
        return registration.__dict__["known_position"]
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == RegistrationStatus.waitlisted,
            or_(Registration.created_at < registration.created_at,
                and_(Registration.created_at == registration.created_at, Registration.id < registration.id)),
        )
    )
    return ahead + 1


def _visit_queue_positions(visits, waiting_for_meeting: set[int]) -> dict[int, int]:
    """Booking id → place in its visit's queue (1 = next to get a place) for every waiting pick of these
    visits (ids, or a select of ids). Picks of delegates still waiting for the meeting itself
    (`waiting_for_meeting`) do not count ahead of others."""
    # Bookings alone rather than joined to registrations: on tables whose statistics lag behind (a busy
    # first day of registration) PostgreSQL plans that join as a nested loop over every registration.
    queues = db.session.execute(
        select(VisitBooking.id, VisitBooking.visit_id, VisitBooking.registration_id)
        .where(VisitBooking.visit_id.in_(visits), VisitBooking.status == BookingStatus.waitlisted)
        .order_by(*queue_order(VisitBooking))
    ).all()
    positions: dict[int, int] = {}
    ahead: dict[int, int] = {}
    for booking_id, visit_id, registration_id in queues:
        positions[booking_id] = ahead.get(visit_id, 0) + 1
        if registration_id not in waiting_for_meeting:
            ahead[visit_id] = ahead.get(visit_id, 0) + 1
    return positions


def pick_positions(registration: Registration) -> dict[int, int]:
    """Booking id → place in its visit's queue, for the registration's waiting picks."""
    waiting = [b for b in registration.bookings if b.status == BookingStatus.waitlisted]
    if not waiting:
        return {}
    if all(b.__dict__.get("known_position") for b in waiting):  # picks just made (`book`)
        return {b.id: b.__dict__["known_position"] for b in waiting}
    positions = _visit_queue_positions({b.visit_id for b in waiting},
                                       set(waiting_for_the_meeting(registration.meeting_id)))
    return {b.id: positions[b.id] for b in waiting}


def waitlist_positions(meeting: Meeting) -> tuple[dict[int, int], dict[int, int]]:
    """(registration id → meeting waitlist position, booking id → visit waitlist position) for the
    whole meeting, in two queries (the table shows every position)."""
    registrations = waiting_for_the_meeting(meeting.id)
    booking_positions = _visit_queue_positions(select(FieldVisit.id).where(FieldVisit.meeting_id == meeting.id),
                                               set(registrations))
    return {rid: n for n, rid in enumerate(registrations, start=1)}, booking_positions


# --- promotions -----------------------------------------------------------------------------------

@dataclass
class Promotions:
    """Who got a place during one change, to tell them by e-mail once the change is done
    (`registration.mail.queue_promotions`)."""

    registrations: list[Registration] = field(default_factory=list)
    bookings: list[VisitBooking] = field(default_factory=list)


def fill_visits(visit_ids, promotions: Promotions, counts: dict[int, VisitCount] | None = None,
                capacities: dict[int, int] | None = None) -> None:
    """Give free places of these (locked) visits to the oldest waiting picks of confirmed delegates
    (`capacities`: the visits' places when the caller has the rows already)."""
    if not visit_ids:
        return
    counts = counts if counts is not None else eligible_counts(visit_ids)
    if capacities is None:
        capacities = dict(db.session.execute(
            select(FieldVisit.id, FieldVisit.capacity).where(FieldVisit.id.in_(visit_ids))
        ).all())
    for visit_id in sorted(visit_ids):
        count = counts[visit_id]
        free = capacities.get(visit_id, 0) - count.booked
        if free <= 0 or count.waitlisted == 0:
            continue
        waiting = db.session.scalars(
            select(VisitBooking)
            .join(Registration, Registration.id == VisitBooking.registration_id)
            .where(VisitBooking.visit_id == visit_id, VisitBooking.status == BookingStatus.waitlisted,
                   Registration.status == RegistrationStatus.confirmed)
            .order_by(*queue_order(VisitBooking)).limit(free)
        ).all()
        for booking in waiting:
            booking.status = BookingStatus.booked
            promotions.bookings.append(booking)
        count.booked += len(waiting)
        count.waitlisted -= len(waiting)
    db.session.flush()


def fill_meeting(meeting: Meeting, promotions: Promotions,
                 counts: dict[RegistrationStatus, int] | None = None) -> dict[RegistrationStatus, int]:
    """Give free places of the (locked) meeting to the oldest waiting registrations; then their picks
    may take free visit places. Returns the counts after the promotions."""
    counts = counts if counts is not None else registration_counts(meeting)
    free = meeting.capacity - counts[RegistrationStatus.confirmed]
    if free <= 0 or counts[RegistrationStatus.waitlisted] == 0:
        return counts
    waiting = db.session.scalars(
        select(Registration).options(selectinload(Registration.bookings))
        .where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(*queue_order(Registration)).limit(free)
    ).all()
    visit_ids = set()
    for registration in waiting:
        registration.status = RegistrationStatus.confirmed
        promotions.registrations.append(registration)
        visit_ids.update(b.visit_id for b in registration.bookings)
    counts[RegistrationStatus.confirmed] += len(waiting)
    counts[RegistrationStatus.waitlisted] -= len(waiting)
    db.session.flush()
    if visit_ids:
        lock_visits(visit_ids)
        fill_visits(visit_ids, promotions)
    return counts


def promote_waitlists(meeting: Meeting, promotions: Promotions | None = None) -> Promotions:
    """Fill every free place of the meeting and its visits from the waitlists (e.g. after a host
    raised a capacity). Returns who was promoted; the caller queues their e-mails."""
    promotions = promotions if promotions is not None else Promotions()
    lock_meeting(meeting)
    fill_meeting(meeting, promotions)
    visit_ids = [visit.id for visit in meeting.visits]
    lock_visits(visit_ids)
    fill_visits(visit_ids, promotions)
    return promotions


def book(registration: Registration, visits: list[FieldVisit], promotions: Promotions) -> None:
    """Add picks: a place while one is left and the delegate has a place at the meeting, else the
    waitlist. The meeting must be locked already; this locks the visits."""
    if not visits:
        return
    ids = [visit.id for visit in visits]
    lock_visits(ids)
    counts = eligible_counts(ids)
    # A place left free by an earlier change goes to those already waiting, never past them.
    fill_visits([i for i in ids if counts[i].waitlisted], promotions, counts,
                {visit.id: visit.capacity for visit in visits})
    confirmed = registration.status == RegistrationStatus.confirmed
    for visit in visits:
        count = counts[visit.id]
        has_place = confirmed and count.booked < visit.capacity
        count.booked += has_place
        booking = VisitBooking(
            visit=visit, status=BookingStatus.booked if has_place else BookingStatus.waitlisted, created_at=utcnow(),
        )
        if not has_place:
            # Last in this visit's queue, behind the waiting picks of confirmed delegates (those counted):
            # the e-mail written in this transaction prints it without walking the queue under the locks.
            booking.known_position = count.waitlisted + 1
            count.waitlisted += confirmed
        registration.bookings.append(booking)
