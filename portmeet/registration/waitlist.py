"""The waitlist rules: locks, counts, queue positions and promotions for meeting places and for the
places of field visits and of meals and social events that take sign-ups.

Every change of places goes through these functions, whoever makes it (a delegate registering,
changing picks or cancelling, a host changing a capacity or deleting a visit, an organiser's override).
Field visits and sign-up sessions follow one set of rules, parameterised by a `PlaceKind` (`VISITS`,
`SESSIONS`): which rows hold the places, which rows take them. The visit functions keep their names.

Lock order, the same for every change, so two changes never wait for each other in a circle:

1. the meeting row (`lock_meeting`): serialises the meeting's capacity count, the duplicate e-mail
   check and the waitlist order (creation times are taken under it);
2. the visit rows, in id order (`lock_visits`), before counting or changing their bookings;
3. the session rows, in id order (`lock_places(SESSIONS, …)`), before counting or changing their sign-ups.

Since the meeting's lock comes first for every change, a statement run while it is held sees every change of its
places: a registration locks and counts its picked places in one statement (`lock_and_count`).

On PostgreSQL these are `SELECT … FOR UPDATE` row locks; every connection has a `lock_timeout` (set when
it connects, portmeet/__init__.py) so that a stuck transaction makes the others fail (a 503, nothing
half-saved) instead of queueing forever;
on SQLite every transaction is already BEGIN IMMEDIATE. Functions flush and never commit.

Promotions are collected in a `Promotions` record; the caller queues the e-mails (registration.mail
imports this module for the positions it prints, so this module never imports mail).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, inspect, or_, select, true
from sqlalchemy.orm import aliased, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portmeet.extensions import db
from portmeet.meetings.models import SIGN_UP_KINDS, FieldVisit, Meeting, ProgrammeSession
from portmeet.registration.models import (
    BookingStatus,
    Registration,
    RegistrationStatus,
    SessionSignup,
    VisitBooking,
)
from portmeet.timeutil import utcnow


@dataclass(frozen=True)
class PlaceKind:
    """One kind of places: the rows that have them (`place`: FieldVisit, ProgrammeSession), the rows that
    take them (`booking`: VisitBooking, SessionSignup) and its column naming the place (`key`), the
    registration's list of those rows (`picks`) and the list of `Promotions` that collects them."""

    name: str
    place: type
    booking: type
    key: str
    picks: str
    promoted: str

    @property
    def key_column(self):
        return getattr(self.booking, self.key)

    def place_id(self, booking) -> int:
        return getattr(booking, self.key)


VISITS = PlaceKind("visits", FieldVisit, VisitBooking, "visit_id", "bookings", "bookings")
SESSIONS = PlaceKind("sessions", ProgrammeSession, SessionSignup, "session_id", "signups", "signups")


# --- the statements of every registration, built once (bound parameters; SQLAlchemy caches their SQL) -------

def _ids():
    return bindparam("ids", expanding=True)


_LOCK_MEETING = select(Meeting.capacity).where(Meeting.id == bindparam("meeting_id")).with_for_update()
_REGISTRATION_COUNTS = (select(Registration.status, func.count())
                        .where(Registration.meeting_id == bindparam("meeting_id")).group_by(Registration.status))
_STATUSES = list(RegistrationStatus)
_REGISTRATION_COUNTS_AND_ID = select(
    *(func.count().filter(Registration.status == status) for status in _STATUSES),
    func.max(Registration.id).filter(Registration.email_normalized == bindparam("email")),
).where(Registration.meeting_id == bindparam("meeting_id"))


def _execute(statement, params: dict):
    """One of the statements above, run on the session's connection: the ORM's way of executing (about 0.06 ms a
    statement, on each of the six of a registration) adds nothing to rows of plain columns. Pending changes are
    flushed first, as `Session.execute` does, unless the caller holds them back (`no_autoflush`)."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement, params)


@functools.cache
def _lock_places_statement(kind: PlaceKind):
    return select(kind.place.id, kind.place.capacity).where(kind.place.id.in_(_ids())).order_by(kind.place.id) \
        .with_for_update()


@functools.cache
def _place_counts_statement(kind: PlaceKind, waiting: bool):
    # Without `waiting`: the index range of the places' booked rows only, not their waitlists too (hundreds of rows
    # each on a busy first day of registration, which the form's "places left" never needs).
    status = kind.booking.status
    return (select(kind.key_column, status, func.count())
            .where(kind.key_column.in_(_ids()),
                   status != BookingStatus.cancelled if waiting else status == BookingStatus.booked)
            .group_by(kind.key_column, status))


@functools.cache
def _eligible_counts_statement(kind: PlaceKind):
    booking = kind.booking
    # The bookings of these places, less those of the (few) delegates of their meeting not confirmed: not a join
    # to every registration, which PostgreSQL plans as a nested loop over all of them while the statistics of a
    # busy first day of registration lag behind (6 ms at 1,000 delegates, under the places' locks; this: 0.8 ms).
    return (select(kind.key_column, booking.status, func.count())
            .where(kind.key_column.in_(_ids()), booking.status != BookingStatus.cancelled,
                   booking.registration_id.not_in(_not_confirmed(kind)))
            .group_by(kind.key_column, booking.status))


def _not_confirmed(kind: PlaceKind):
    """The (few) registrations of the places' meetings not confirmed, whose picks do not count (see below)."""
    place = aliased(kind.place)  # not correlated to a statement's own places: planned once, as a hashed subplan
    return select(Registration.id).where(
        Registration.meeting_id.in_(select(place.meeting_id).where(place.id.in_(_ids()))),
        Registration.status.in_([status for status in RegistrationStatus if status != RegistrationStatus.confirmed]))


@functools.cache
def _locked_counts_statement(kind: PlaceKind):
    booking, place = kind.booking, kind.place

    def picks(status: BookingStatus):
        return select(func.count()).where(kind.key_column == place.id, booking.status == status,
                                          booking.registration_id.not_in(_not_confirmed(kind))).scalar_subquery()

    return (select(place.id, place.capacity, picks(BookingStatus.booked), picks(BookingStatus.waitlisted))
            .where(place.id.in_(_ids())).order_by(place.id).with_for_update(of=place))


@functools.cache
def _registration_counts_and_visits_statement():
    """`_REGISTRATION_COUNTS_AND_ID`'s one row on each row of `_locked_counts_statement(VISITS)`."""
    registrations = _REGISTRATION_COUNTS_AND_ID.subquery()
    visits = _locked_counts_statement(VISITS)
    return visits.add_columns(*registrations.c).join(registrations, true())


# --- locks ----------------------------------------------------------------------------------------

def lock_meeting(meeting: Meeting) -> None:
    """Take the meeting's row lock: first of every change of places (see the module's lock order).
    Its capacity is read again under the lock: one read earlier in the request (by the form) may have
    been changed by the host whose lock this one waited for."""
    capacity = _execute(_LOCK_MEETING, {"meeting_id": meeting.id}).scalar()
    if capacity is not None and meeting.capacity != capacity:
        set_committed_value(meeting, "capacity", capacity)


def lock_places(kind: PlaceKind, place_ids) -> None:
    """Take the row locks of these visits or sessions, in id order, after the meeting's (and, for
    sessions, after the visits'); their places are read again under the lock, as for the meeting."""
    place_ids = sorted(set(place_ids or ()))
    if place_ids:
        for place_id, capacity in _execute(_lock_places_statement(kind), {"ids": place_ids}):
            _read_under_lock(kind, place_id, capacity)


def _read_under_lock(kind: PlaceKind, place_id: int, capacity: int | None) -> None:
    """The places of a visit or session, read under its lock, on its object if the session holds it."""
    place = db.session.identity_map.get(identity_key(kind.place, place_id))
    if place is not None and place.capacity != capacity:
        set_committed_value(place, "capacity", capacity)


def lock_visits(visit_ids) -> None:
    lock_places(VISITS, visit_ids)


def lock_and_count(kind: PlaceKind, place_ids) -> dict[int, VisitCount]:
    """`lock_places`, then `eligible_counts`, in one statement: one round trip fewer under the meeting's lock, which
    every other registration waits for. Its counts are read as the statement starts, before it takes the places'
    locks: they are exact only because the caller holds the meeting's lock already, and every change of places takes
    it first (the lock order above), so nobody else can be changing these places' picks meanwhile."""
    return _locked_counts(kind, _execute(_locked_counts_statement(kind), {"ids": sorted(set(place_ids))}))


def _locked_counts(kind: PlaceKind, rows) -> dict[int, VisitCount]:
    """The counts of `_locked_counts_statement`'s rows (place id, places, booked, waitlisted, …); the places' objects
    get the places read under the lock, as in `lock_places`."""
    counts = {}
    for place_id, capacity, booked, waitlisted, *_rest in rows:
        _read_under_lock(kind, place_id, capacity)
        counts[place_id] = VisitCount(0, booked, waitlisted)
    return counts


# --- counts ---------------------------------------------------------------------------------------

@dataclass
class VisitCount:
    capacity: int
    booked: int = 0
    waitlisted: int = 0

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)


def _counted(counts: dict[int, VisitCount], rows) -> dict[int, VisitCount]:
    """`counts` with the (place id, booking status, number) rows of a count statement added."""
    for place_id, status, number in rows:
        setattr(counts[place_id], "booked" if status == BookingStatus.booked else "waitlisted", number)
    return counts


def place_counts(kind: PlaceKind, places, *, waiting: bool = True) -> dict[int, VisitCount]:
    """Booked and waitlisted counts of these visits or sessions (anything with `id` and `capacity`), in one
    query; without `waiting`, the booked ones only (what the places left need, for less work)."""
    counts = {place.id: VisitCount(place.capacity or 0) for place in places}
    if not counts:
        return counts
    return _counted(counts, _execute(_place_counts_statement(kind, waiting), {"ids": list(counts)}))


def visit_counts(meeting: Meeting) -> dict[int, VisitCount]:
    """Booked and waitlisted counts of every field visit of the meeting, in one query."""
    return place_counts(VISITS, meeting.visits)


def signup_sessions(meeting: Meeting) -> list[ProgrammeSession]:
    """The meeting's meals and social events that take sign-ups, in time order."""
    if "sessions" not in inspect(meeting).unloaded:
        return [session for session in meeting.sessions if session.takes_sign_ups]
    # The registration form needs only these: not the whole programme and its speakers (two queries more).
    return list(db.session.scalars(
        select(ProgrammeSession)
        .where(ProgrammeSession.meeting_id == meeting.id, ProgrammeSession.cancelled_at.is_(None),
               ProgrammeSession.capacity.is_not(None), ProgrammeSession.kind.in_(SIGN_UP_KINDS))
        .options(lazyload(ProgrammeSession.speakers))
        .order_by(ProgrammeSession.day, ProgrammeSession.start_time, ProgrammeSession.position)))


def session_counts(meeting: Meeting, sessions: list[ProgrammeSession] | None = None) -> dict[int, VisitCount]:
    """Booked and waitlisted counts of every meal and social event of the meeting that takes sign-ups
    (`sessions`: those, when the caller has them already)."""
    return place_counts(SESSIONS, signup_sessions(meeting) if sessions is None else sessions)


def registration_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    """How many registrations of the meeting are confirmed, waitlisted, cancelled."""
    rows = _execute(_REGISTRATION_COUNTS, {"meeting_id": meeting.id})
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(status): number for status, number in rows})
    return counts


def registration_counts_and_id(meeting: Meeting, email_normalized: str) -> tuple[dict[RegistrationStatus, int], int | None]:
    """`registration_counts`, and the id of the meeting's registration with this (normalised) e-mail if any, in
    one query (a registration reads both under the meeting's lock)."""
    row = _execute(_REGISTRATION_COUNTS_AND_ID, {"meeting_id": meeting.id, "email": email_normalized}).one()
    return dict(zip(_STATUSES, row[:-1])), row[-1]


def registration_counts_and_visits(meeting: Meeting, email_normalized: str, visit_ids
                                   ) -> tuple[dict[RegistrationStatus, int], int | None, dict[int, VisitCount] | None]:
    """`registration_counts_and_id`, then `lock_and_count` of these visits (None without any), in one statement: one
    round trip fewer under the meeting's lock, which the caller holds."""
    if not visit_ids:
        return *registration_counts_and_id(meeting, email_normalized), None
    rows = _execute(_registration_counts_and_visits_statement(),
                    {"ids": sorted(set(visit_ids)), "meeting_id": meeting.id, "email": email_normalized}).all()
    registrations = rows[0][4:]
    return dict(zip(_STATUSES, registrations[:-1])), registrations[-1], _locked_counts(VISITS, rows)


def meeting_is_full(meeting: Meeting) -> bool:
    """No place left for a new delegate: every place taken, or others already waiting for one."""
    counts = registration_counts(meeting)
    return counts[RegistrationStatus.confirmed] >= meeting.capacity or counts[RegistrationStatus.waitlisted] > 0


def eligible_counts(visit_ids, kind: PlaceKind = VISITS) -> dict[int, VisitCount]:
    """Per visit (or session): places taken, and picks of confirmed delegates waiting for one (a delegate
    still waiting for a place at the meeting waits for visit places too)."""
    counts = {place_id: VisitCount(0) for place_id in visit_ids}
    if not counts:
        return counts
    return _counted(counts, _execute(_eligible_counts_statement(kind), {"ids": list(counts)}))


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


def _visit_queue_positions(visits, waiting_for_meeting: set[int], kind: PlaceKind = VISITS) -> dict[int, int]:
    """Booking id → place in its visit's queue (1 = next to get a place) for every waiting pick of these
    visits (ids, or a select of ids). Picks of delegates still waiting for the meeting itself
    (`waiting_for_meeting`) do not count ahead of others."""
    # Bookings alone rather than joined to registrations: on tables whose statistics lag behind (a busy
    # first day of registration) PostgreSQL plans that join as a nested loop over every registration.
    booking = kind.booking
    queues = db.session.execute(
        select(booking.id, kind.key_column, booking.registration_id)
        .where(kind.key_column.in_(visits), booking.status == BookingStatus.waitlisted)
        .order_by(*queue_order(booking))
    ).all()
    positions: dict[int, int] = {}
    ahead: dict[int, int] = {}
    for booking_id, visit_id, registration_id in queues:
        positions[booking_id] = ahead.get(visit_id, 0) + 1
        if registration_id not in waiting_for_meeting:
            ahead[visit_id] = ahead.get(visit_id, 0) + 1
    return positions


def _waiting_positions(registration: Registration, kind: PlaceKind, waiting: list) -> list[int]:
    """The place in its visit's (session's) queue of each of these waiting picks of the registration's, in order."""
    if not waiting:
        return []
    if all(b.__dict__.get("known_position") for b in waiting):  # picks just made (`book`), maybe not written yet
        return [b.__dict__["known_position"] for b in waiting]
    positions = _visit_queue_positions({kind.place_id(b) for b in waiting},
                                       set(waiting_for_the_meeting(registration.meeting_id)), kind)
    return [positions[b.id] for b in waiting]


def picks_with_positions(registration: Registration, kind: PlaceKind = VISITS, bookings=None) -> list[tuple]:
    """Each of the registration's picks (or these `bookings` of theirs, e.g. an accompanying person's) with its
    place in its visit's (session's) queue, None unless waiting; also for picks just made whose rows are not
    written yet (no ids)."""
    bookings = getattr(registration, kind.picks) if bookings is None else bookings
    waiting = [b for b in bookings if b.status == BookingStatus.waitlisted]
    positions = iter(_waiting_positions(registration, kind, waiting))
    return [(b, next(positions) if b.status == BookingStatus.waitlisted else None) for b in bookings]


def pick_positions(registration: Registration, kind: PlaceKind = VISITS, bookings=None) -> dict[int, int]:
    """Booking (or sign-up) id → place in its visit's (session's) queue, for the registration's waiting picks
    (or these `bookings` of theirs)."""
    return {pick.id: position for pick, position in picks_with_positions(registration, kind, bookings)
            if position is not None}


def signup_positions(registration: Registration) -> dict[int, int]:
    """Sign-up id → place in its session's queue, for the registration's waiting sign-ups."""
    return pick_positions(registration, SESSIONS)


def waitlist_positions(meeting: Meeting) -> tuple[dict[int, int], dict[int, int]]:
    """(registration id → meeting waitlist position, booking id → visit waitlist position) for the
    whole meeting, in two queries (the table shows every position)."""
    registrations = waiting_for_the_meeting(meeting.id)
    booking_positions = _visit_queue_positions(select(FieldVisit.id).where(FieldVisit.meeting_id == meeting.id),
                                               set(registrations))
    return {rid: n for n, rid in enumerate(registrations, start=1)}, booking_positions


def signup_queue_positions(meeting: Meeting) -> dict[int, int]:
    """Sign-up id → place in its session's queue, for every waiting sign-up of the meeting."""
    return _visit_queue_positions(select(ProgrammeSession.id).where(ProgrammeSession.meeting_id == meeting.id),
                                  set(waiting_for_the_meeting(meeting.id)), SESSIONS)


# --- promotions -----------------------------------------------------------------------------------

@dataclass
class Promotions:
    """Who got a place during one change, to tell them by e-mail once the change is done
    (`registration.mail.queue_promotions`)."""

    registrations: list[Registration] = field(default_factory=list)
    bookings: list[VisitBooking] = field(default_factory=list)
    signups: list[SessionSignup] = field(default_factory=list)


def fill_places(kind: PlaceKind, place_ids, promotions: Promotions, counts: dict[int, VisitCount] | None = None,
                capacities: dict[int, int | None] | None = None) -> None:
    """Give free places of these (locked) visits or sessions to the oldest waiting picks of confirmed
    delegates (`capacities`: their places when the caller has the rows already)."""
    if not place_ids:
        return
    counts = counts if counts is not None else eligible_counts(place_ids, kind)
    if capacities is None:
        capacities = dict(db.session.execute(
            select(kind.place.id, kind.place.capacity).where(kind.place.id.in_(place_ids))
        ).all())
    booking_model = kind.booking
    promoted = False
    for place_id in sorted(place_ids):
        count = counts[place_id]
        free = (capacities.get(place_id) or 0) - count.booked
        if free <= 0 or count.waitlisted == 0:
            continue
        waiting = db.session.scalars(
            select(booking_model)
            .join(Registration, Registration.id == booking_model.registration_id)
            .where(kind.key_column == place_id, booking_model.status == BookingStatus.waitlisted,
                   Registration.status == RegistrationStatus.confirmed)
            .order_by(*queue_order(booking_model)).limit(free)
        ).all()
        for booking in waiting:
            booking.status = BookingStatus.booked
            getattr(promotions, kind.promoted).append(booking)
        count.booked += len(waiting)
        count.waitlisted -= len(waiting)
        promoted = promoted or bool(waiting)
    if promoted:
        db.session.flush()


def fill_visits(visit_ids, promotions: Promotions, counts: dict[int, VisitCount] | None = None,
                capacities: dict[int, int] | None = None) -> None:
    fill_places(VISITS, visit_ids, promotions, counts, capacities)


def fill_meeting(meeting: Meeting, promotions: Promotions,
                 counts: dict[RegistrationStatus, int] | None = None) -> dict[RegistrationStatus, int]:
    """Give free places of the (locked) meeting to the oldest waiting registrations; then their picks
    may take free visit places. Returns the counts after the promotions."""
    counts = counts if counts is not None else registration_counts(meeting)
    free = meeting.capacity - counts[RegistrationStatus.confirmed]
    if free <= 0 or counts[RegistrationStatus.waitlisted] == 0:
        return counts
    waiting = db.session.scalars(
        select(Registration).options(selectinload(Registration.bookings), selectinload(Registration.signups))
        .where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(*queue_order(Registration)).limit(free)
    ).all()
    picked = {kind: set() for kind in (VISITS, SESSIONS)}
    for registration in waiting:
        registration.status = RegistrationStatus.confirmed
        promotions.registrations.append(registration)
        for kind, place_ids in picked.items():  # the delegate's picks, and those of the persons accompanying them
            place_ids.update(kind.place_id(b) for b in getattr(registration, kind.picks))
            place_ids.update(kind.place_id(b) for companion in registration.companions
                             for b in getattr(companion, kind.picks))
    counts[RegistrationStatus.confirmed] += len(waiting)
    counts[RegistrationStatus.waitlisted] -= len(waiting)
    db.session.flush()
    for kind, place_ids in picked.items():  # visits, then sessions: the lock order
        if place_ids:
            lock_places(kind, place_ids)
            fill_places(kind, place_ids, promotions)
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
    session_ids = [session.id for session in signup_sessions(meeting)]
    lock_places(SESSIONS, session_ids)
    fill_places(SESSIONS, session_ids, promotions)
    return promotions


def book_places(kind: PlaceKind, registration: Registration, places: list, promotions: Promotions,
                companion=None, counts: dict[int, VisitCount] | None = None) -> list:
    """Add picks of visits or sessions: a place while one is left and the delegate has a place at the
    meeting, else the waitlist. The meeting (and, for sessions, any visit changed in the same
    transaction) must be locked already; this locks the places. Returns the new booking rows. With
    `companion` (flushed, of this registration), the picks are that accompanying person's. `counts`: the places
    locked and counted already (`registration_counts_and_visits`), with nothing changed since."""
    if not places:
        return []
    ids = [place.id for place in places]
    counts = counts if counts is not None else lock_and_count(kind, ids)
    # A place left free by an earlier change goes to those already waiting, never past them.
    fill_places(kind, [i for i in ids if counts[i].waitlisted], promotions, counts,
                {place.id: place.capacity for place in places})
    confirmed = registration.status == RegistrationStatus.confirmed
    relation = "visit" if kind is VISITS else "session"
    added = []
    for place in places:
        count = counts[place.id]
        has_place = confirmed and count.booked < (place.capacity or 0)
        count.booked += has_place
        booking = kind.booking(
            status=BookingStatus.booked if has_place else BookingStatus.waitlisted, created_at=utcnow(),
            **{relation: place},
        )
        if not has_place:
            # Last in this place's queue, behind the waiting picks of confirmed delegates (those counted):
            # the e-mail written in this transaction prints it without walking the queue under the locks.
            booking.known_position = count.waitlisted + 1
            count.waitlisted += confirmed
        if companion is not None:
            booking.registration_id = registration.id
            getattr(companion, kind.picks).append(booking)
        else:
            getattr(registration, kind.picks).append(booking)
        added.append(booking)
    return added


def change_picks(kind: PlaceKind, picks: list, places: list) -> tuple[list[int], list]:
    """Make a delegate's or a partner's picks of `kind` (`picks`: their bookings or sign-ups) those of
    `places`: locks every place that changes, drops the picks no longer wanted. Returns the ids of the
    places dropped (their free places go to `fill_places`) and the places newly picked (for `book_places`)."""
    current = {kind.place_id(pick): pick for pick in picks}
    wanted = {place.id for place in places}
    dropped = [place_id for place_id in current if place_id not in wanted]
    added = [place for place in places if place.id not in current]
    lock_places(kind, set(dropped) | {place.id for place in added})
    for place_id in dropped:
        picks.remove(current[place_id])
    return dropped, added


def book(registration: Registration, visits: list[FieldVisit], promotions: Promotions, companion=None,
         counts: dict[int, VisitCount] | None = None) -> None:
    """Add visit picks (see `book_places`); the meeting must be locked already."""
    book_places(VISITS, registration, visits, promotions, companion, counts)


def sign_up(registration: Registration, sessions: list[ProgrammeSession], promotions: Promotions,
            companion=None) -> None:
    """Add sign-ups for meals and social events (see `book_places`); meeting and visits locked already."""
    book_places(SESSIONS, registration, sessions, promotions, companion)
