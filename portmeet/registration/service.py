"""Registration rules: places, waitlists, bookings, the private link, ID data.

Every function that changes registrations takes the meeting's row lock first (then the visits' row
locks, in id order), so that counting places and taking one is atomic on PostgreSQL; on SQLite every
transaction is already BEGIN IMMEDIATE. Functions add and flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from portmeet.accounts.models import normalize_email
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration import mail
from portmeet.registration.models import (
    BookingStatus,
    Category,
    Registration,
    RegistrationStatus,
    VisitBooking,
    hash_token,
)
from portmeet.timeutil import utcnow

PROFILE_FIELDS = (
    "first_name", "last_name", "badge_name", "email", "organisation", "job_title", "country", "phone",
    "dietary", "accessibility", "consent_list",
)
ID_FIELDS = ("nationality", "id_number", "date_of_birth")


class RegistrationError(ValueError):
    """A rule refused the change; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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


def registration_by_token(token: str) -> Registration | None:
    """The registration whose private link carries this token (only the token's hash is stored)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Registration).where(Registration.token_hash == hash_token(token)))


def _checkin_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portmeet-checkin")


def checkin_token(registration: Registration) -> str:
    """The code in a badge's QR: signed, derived from the id, and distinct from the private manage link,
    so a lost badge never opens the delegate's own page."""
    return _checkin_serializer().dumps(registration.id)


def registration_by_checkin_token(meeting: Meeting, token: str) -> Registration | None:
    try:
        registration_id = _checkin_serializer().loads(token)
    except BadSignature:
        return None
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None or registration.meeting_id != meeting.id:
        return None
    return registration


# --- checks shared by the forms and the functions below ---------------------------------------

def duplicate_registration(meeting: Meeting, email: str, exclude: Registration | None = None) -> Registration | None:
    """A live (not cancelled) registration of the meeting with this e-mail, case-insensitively."""
    query = select(Registration).where(
        Registration.meeting_id == meeting.id,
        Registration.email_normalized == normalize_email(email or ""),
        Registration.status != RegistrationStatus.cancelled,
    )
    if exclude is not None and exclude.id is not None:
        query = query.where(Registration.id != exclude.id)
    return db.session.scalar(query)


def picked_visits(meeting: Meeting, visit_ids) -> list[FieldVisit]:
    """The meeting's visits among the picked ids (ids of other meetings are ignored), in time order."""
    wanted = {int(v.id if isinstance(v, FieldVisit) else v) for v in (visit_ids or ())}
    return [visit for visit in meeting.visits if visit.id in wanted]


def _id_given(value) -> bool:
    return value not in (None, "")


def pick_problems(visits: list[FieldVisit], id_data: dict, today: date,
                  registration: Registration | None = None, *, deadlines: bool = True) -> list[tuple[str, str]]:
    """(field, message) for every rule the picks break: overlapping visits, ID data missing for a
    visit that needs it, ID data given or a visit newly picked after that visit's ID deadline.
    `id_data` values left empty mean "keep what the registration already holds"."""
    problems: list[tuple[str, str]] = []
    for i, first in enumerate(visits):
        for second in visits[i + 1:]:
            if first.overlaps(second):
                problems.append(("visits", _("“%(first)s” and “%(second)s” overlap in time; pick only one of them.",
                                             first=first.title, second=second.title)))
    needing_id = [visit for visit in visits if visit.requires_id]
    if not needing_id:
        return problems
    already = {b.visit_id for b in registration.bookings} if registration is not None else set()
    stored = {name: getattr(registration, name) if registration is not None else None for name in ID_FIELDS}
    changed = any(_id_given(id_data.get(name)) and id_data.get(name) != stored[name] for name in ID_FIELDS)
    titles = ", ".join(f"“{visit.title}”" for visit in needing_id)
    labels = {"nationality": _("your nationality"), "id_number": _("your ID document number"),
              "date_of_birth": _("your date of birth")}
    for name in ID_FIELDS:
        if not _id_given(id_data.get(name)) and not _id_given(stored[name]):
            problems.append((name, _("Port security needs %(what)s for %(visits)s.", what=labels[name], visits=titles)))
    for visit in needing_id:
        if not deadlines or visit.id_deadline is None or today <= visit.id_deadline:
            continue
        if visit.id not in already:
            problems.append(("visits", _("The deadline for ID data for “%(visit)s” was %(date)s; it can no longer "
                                         "be picked.", visit=visit.title, date=format_date(visit.id_deadline, "long"))))
        elif changed:
            problems.append(("id_number", _("The deadline for ID data for “%(visit)s” was %(date)s; please ask the "
                                            "organisers to change it.", visit=visit.title,
                                            date=format_date(visit.id_deadline, "long"))))
    return problems


# --- locks and counts -----------------------------------------------------------------------------

def _lock_meeting(meeting: Meeting) -> None:
    # The meeting row is the one lock every registration change takes first: it serialises the
    # capacity count, the duplicate e-mail check and the waitlist order (ids follow the lock order).
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def _lock_visits(visit_ids) -> None:
    if visit_ids:
        db.session.execute(
            select(FieldVisit.id).where(FieldVisit.id.in_(sorted(visit_ids))).order_by(FieldVisit.id).with_for_update()
        )


def _registration_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.meeting_id == meeting.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(status): number for status, number in rows})
    return counts


def _eligible_counts(visit_ids) -> dict[int, VisitCount]:
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


def _queue_order(model):
    return (model.created_at, model.id)


def _ahead_of(model, item):
    """Rows taken before `item` by the database: earlier created_at, then lower id."""
    return or_(model.created_at < item.created_at, and_(model.created_at == item.created_at, model.id < item.id))


def registration_position(registration: Registration) -> int | None:
    """1 for the next delegate to get a place at the meeting; None unless waiting."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == RegistrationStatus.waitlisted,
            _ahead_of(Registration, registration),
        )
    )
    return ahead + 1


def _visit_queue_positions(visits, waiting_for_the_meeting: set[int]) -> dict[int, int]:
    """Booking id → place in its visit's queue (1 = next to get a place) for every waiting pick of these
    visits (ids, or a select of ids). Picks of delegates still waiting for the meeting itself
    (`waiting_for_the_meeting`) do not count ahead of others."""
    # Bookings alone rather than joined to registrations: on tables whose statistics lag behind (a busy
    # first day of registration) PostgreSQL plans that join as a nested loop over every registration.
    queues = db.session.execute(
        select(VisitBooking.id, VisitBooking.visit_id, VisitBooking.registration_id)
        .where(VisitBooking.visit_id.in_(visits), VisitBooking.status == BookingStatus.waitlisted)
        .order_by(*_queue_order(VisitBooking))
    ).all()
    positions: dict[int, int] = {}
    ahead: dict[int, int] = {}
    for booking_id, visit_id, registration_id in queues:
        positions[booking_id] = ahead.get(visit_id, 0) + 1
        if registration_id not in waiting_for_the_meeting:
            ahead[visit_id] = ahead.get(visit_id, 0) + 1
    return positions


def _waiting_for_the_meeting(meeting_id: int) -> list[int]:
    """Ids of the meeting's waitlisted registrations, first in line first."""
    return db.session.scalars(
        select(Registration.id).where(Registration.meeting_id == meeting_id,
                                      Registration.status == RegistrationStatus.waitlisted)
        .order_by(*_queue_order(Registration))
    ).all()


def pick_positions(registration: Registration) -> dict[int, int]:
    """Booking id → place in its visit's queue, for the registration's waiting picks."""
    waiting = [b for b in registration.bookings if b.status == BookingStatus.waitlisted]
    if not waiting:
        return {}
    positions = _visit_queue_positions({b.visit_id for b in waiting},
                                       set(_waiting_for_the_meeting(registration.meeting_id)))
    return {b.id: positions[b.id] for b in waiting}


# --- promotions -----------------------------------------------------------------------------------

@dataclass
class _Promotions:
    """Who got a place during one change, to tell them by e-mail once the change is done."""

    registrations: list[Registration] = field(default_factory=list)
    bookings: list[VisitBooking] = field(default_factory=list)

    def queue_mail(self, skip: Registration | None = None) -> None:
        promoted = {r.id for r in self.registrations}
        for registration in self.registrations:
            if registration is not skip:
                mail.queue_promotion(registration)
        for booking in self.bookings:
            registration = booking.registration
            if registration is not skip and registration.id not in promoted:
                mail.queue_visit_promotion(registration, booking.visit)


def _fill_visits(visit_ids, promotions: _Promotions, counts: dict[int, VisitCount] | None = None) -> None:
    """Give free places of these visits to the oldest waiting picks of confirmed delegates."""
    if not visit_ids:
        return
    counts = counts if counts is not None else _eligible_counts(visit_ids)
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
            .order_by(*_queue_order(VisitBooking)).limit(free)
        ).all()
        for booking in waiting:
            booking.status = BookingStatus.booked
            promotions.bookings.append(booking)
        count.booked += len(waiting)
        count.waitlisted -= len(waiting)
    db.session.flush()


def _fill_meeting(meeting: Meeting, promotions: _Promotions,
                  counts: dict[RegistrationStatus, int] | None = None) -> dict[RegistrationStatus, int]:
    """Give free places of the meeting to the oldest waiting registrations; then their picks may
    take free visit places. Returns the counts after the promotions."""
    counts = counts if counts is not None else _registration_counts(meeting)
    free = meeting.capacity - counts[RegistrationStatus.confirmed]
    if free <= 0 or counts[RegistrationStatus.waitlisted] == 0:
        return counts
    waiting = db.session.scalars(
        select(Registration).options(selectinload(Registration.bookings))
        .where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.waitlisted)
        .order_by(*_queue_order(Registration)).limit(free)
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
        _lock_visits(visit_ids)
        _fill_visits(visit_ids, promotions)
    return counts


def promote_waitlists(meeting: Meeting) -> None:
    """Fill every free place of the meeting and its visits from the waitlists (e.g. after a host
    raised a capacity), and queue the e-mails."""
    _lock_meeting(meeting)
    promotions = _Promotions()
    _fill_meeting(meeting, promotions)
    visit_ids = [visit.id for visit in meeting.visits]
    _lock_visits(visit_ids)
    _fill_visits(visit_ids, promotions)
    promotions.queue_mail()


# --- the delegate's changes -----------------------------------------------------------------------

def _clean(value):
    return value.strip() if isinstance(value, str) else value


def _apply_profile(registration: Registration, data: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in data:
            value = _clean(data[name])
            setattr(registration, name, bool(value) if name == "consent_list" else (value or ""))
    if "category" in data and data["category"]:
        registration.category = Category(data["category"])
    if data.get("language"):
        registration.language = data["language"]
    registration.email_normalized = normalize_email(registration.email)


def _apply_id_data(registration: Registration, data: dict, visits: list[FieldVisit]) -> None:
    """ID data is kept only while a picked visit needs it; empty fields keep what was given."""
    if not any(visit.requires_id for visit in visits):
        registration.nationality = registration.id_number = registration.date_of_birth = None
        return
    for name in ID_FIELDS:
        value = _clean(data.get(name))
        if _id_given(value):
            setattr(registration, name, value.upper() if name == "nationality" else value)


def _check(meeting: Meeting, data: dict, visits: list[FieldVisit], registration: Registration | None,
           *, deadlines: bool = True) -> None:
    for name in ("first_name", "last_name", "email", "organisation", "country"):
        if name in data and not _clean(data[name]):
            raise RegistrationError(_("This field is required."), name)
    if "email" in data and duplicate_registration(meeting, data["email"], exclude=registration) is not None:
        raise RegistrationError(_("This e-mail address is already registered for this meeting."), "email")
    problems = pick_problems(visits, data, meeting.local_now().date(), registration, deadlines=deadlines)
    if problems:
        name, message = problems[0]
        raise RegistrationError(message, name)


def _book(registration: Registration, visits: list[FieldVisit], promotions: _Promotions) -> None:
    """Add picks: a place while one is left and the delegate has a place at the meeting, else the waitlist."""
    if not visits:
        return
    ids = [visit.id for visit in visits]
    _lock_visits(ids)
    counts = _eligible_counts(ids)
    _fill_visits([i for i in ids if counts[i].waitlisted], promotions, counts)
    confirmed = registration.status == RegistrationStatus.confirmed
    for visit in visits:
        count = counts[visit.id]
        has_place = confirmed and count.booked < visit.capacity
        count.booked += has_place
        registration.bookings.append(VisitBooking(
            visit=visit, status=BookingStatus.booked if has_place else BookingStatus.waitlisted, created_at=utcnow(),
        ))


def register(meeting: Meeting, data: dict) -> tuple[Registration, str]:
    """Register a delegate (web form, or a walk-in at the desk): a place at the meeting while the
    capacity allows, else the waitlist; then each picked visit likewise. Queues the confirmation
    e-mail with the private link. Returns the registration and its link's token (shown once).
    Raises RegistrationError when a rule refuses it. Does not look at the registration window."""
    _lock_meeting(meeting)
    visits = picked_visits(meeting, data.get("visits"))
    _check(meeting, data, visits, None)
    promotions = _Promotions()
    counts = _fill_meeting(meeting, promotions)

    # A delegate who cancelled and registers again gets their old row back (the e-mail is unique).
    registration = db.session.scalar(select(Registration).where(
        Registration.meeting_id == meeting.id,
        Registration.email_normalized == normalize_email(data["email"]),
    ))
    if registration is None:
        registration = Registration(meeting=meeting, language=meeting.language)  # unless `data` names one
        db.session.add(registration)
    else:
        registration.bookings.clear()
        registration.cancelled_at = registration.checked_in_at = None
        registration.nationality = registration.id_number = registration.date_of_birth = None
    _apply_profile(registration, data)
    _apply_id_data(registration, data, visits)
    has_place = counts[RegistrationStatus.confirmed] < meeting.capacity
    registration.status = RegistrationStatus.confirmed if has_place else RegistrationStatus.waitlisted
    registration.created_at = utcnow()  # taken under the lock: the waitlist order is the database's order
    token = registration.set_new_token()
    db.session.flush()
    _book(registration, visits, promotions)
    db.session.flush()
    mail.queue_confirmation(registration, token)
    promotions.queue_mail(skip=registration)
    return registration, token


def update_registration(registration: Registration, data: dict, *, by_organiser: bool = False) -> None:
    """Change details and picks under the same rules as registering. A dropped pick frees its place
    for the oldest waiting pick; a new pick takes a place if one is left, else joins the waitlist."""
    if registration.status == RegistrationStatus.cancelled:
        raise RegistrationError(_("This registration was cancelled; it can no longer be changed."))
    meeting = registration.meeting
    _lock_meeting(meeting)
    visits = picked_visits(meeting, data["visits"]) if "visits" in data else [b.visit for b in registration.bookings]
    _check(meeting, data, visits, registration, deadlines=not by_organiser)

    promotions = _Promotions()
    wanted = {visit.id for visit in visits}
    current = {booking.visit_id: booking for booking in registration.bookings}
    dropped = [visit_id for visit_id in current if visit_id not in wanted]
    added = [visit for visit in visits if visit.id not in current]
    _lock_visits(set(dropped) | {visit.id for visit in added})
    for visit_id in dropped:
        registration.bookings.remove(current[visit_id])
    db.session.flush()
    if dropped:
        _fill_visits(dropped, promotions)
    _apply_profile(registration, data)
    _apply_id_data(registration, data, visits)
    _book(registration, added, promotions)
    db.session.flush()
    if by_organiser:
        mail.queue_changed_by_organiser(registration)
    promotions.queue_mail(skip=registration)


def cancel_registration(registration: Registration, *, by_organiser: bool = False) -> bool:
    """Cancel: frees the meeting place and the visit places, and promotes the waitlists.
    Returns False when it was already cancelled (nothing changes)."""
    if registration.status == RegistrationStatus.cancelled:
        return False
    meeting = registration.meeting
    _lock_meeting(meeting)
    visit_ids = [booking.visit_id for booking in registration.bookings]
    _lock_visits(visit_ids)
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = utcnow()
    registration.bookings.clear()
    db.session.flush()
    promotions = _Promotions()
    _fill_visits(visit_ids, promotions)
    _fill_meeting(meeting, promotions)
    mail.queue_cancellation(registration, by_organiser=by_organiser)
    promotions.queue_mail()
    return True


def resend_link(meeting: Meeting, email: str) -> bool:
    """Issue a new private link to the delegate registered with this e-mail and mail it; the old link
    stops working (only the hash is stored). Returns whether anyone matched; the page never says."""
    registration = duplicate_registration(meeting, email)
    if registration is None:
        return False
    token = registration.set_new_token()
    db.session.flush()
    mail.queue_link(registration, token)
    return True


# --- the manage side ------------------------------------------------------------------------------

@dataclass
class RegistrationFilters:
    status: str = ""
    country: str = ""
    category: str = ""
    visit: int | None = None
    booking: str = ""  # with `visit`: only the picks booked, or only those waiting
    id_missing: bool = False  # booked on a visit that needs ID data (`visit`, or any), and some is missing
    needs: str = ""  # "dietary" or "accessibility": only delegates who wrote some
    arrived: str = ""  # "yes" or "no": checked in at the desk or not


def id_data_missing():
    """The condition "some ID-document data is missing" on a registration."""
    return or_(Registration.nationality.is_(None), Registration.nationality == "",
               Registration.id_number.is_(None), Registration.id_number == "",
               Registration.date_of_birth.is_(None))


def registrations_of(meeting: Meeting, filters: RegistrationFilters | None = None) -> list[Registration]:
    """The meeting's registrations matching the filters, by last name, with their picks loaded."""
    filters = filters or RegistrationFilters()
    query = (
        select(Registration)
        .options(selectinload(Registration.bookings).selectinload(VisitBooking.visit))
        .where(Registration.meeting_id == meeting.id)
        .order_by(func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id)
    )
    if filters.status in RegistrationStatus.__members__:
        query = query.where(Registration.status == RegistrationStatus(filters.status))
    if filters.country:
        query = query.where(Registration.country == filters.country.upper())
    if filters.category in Category.__members__:
        query = query.where(Registration.category == Category(filters.category))
    if filters.visit:
        picks = select(VisitBooking.registration_id).where(VisitBooking.visit_id == filters.visit)
        if filters.booking in BookingStatus.__members__:
            picks = picks.where(VisitBooking.status == BookingStatus(filters.booking))
        query = query.where(Registration.id.in_(picks))
    if filters.id_missing:
        needing_id = (select(VisitBooking.registration_id).join(FieldVisit, FieldVisit.id == VisitBooking.visit_id)
                      .where(FieldVisit.requires_id, VisitBooking.status == BookingStatus.booked))
        if filters.visit:
            needing_id = needing_id.where(VisitBooking.visit_id == filters.visit)
        query = query.where(Registration.status != RegistrationStatus.cancelled, Registration.id.in_(needing_id),
                            id_data_missing())
    if filters.needs in ("dietary", "accessibility"):
        query = query.where(getattr(Registration, filters.needs) != "")
    if filters.arrived == "yes":
        query = query.where(Registration.checked_in_at.is_not(None))
    elif filters.arrived == "no":
        query = query.where(Registration.checked_in_at.is_(None))
    return list(db.session.scalars(query))


def status_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    return _registration_counts(meeting)


def waitlist_positions(meeting: Meeting) -> tuple[dict[int, int], dict[int, int]]:
    """(registration id → meeting waitlist position, booking id → visit waitlist position) for the
    whole meeting, in two queries (the table shows every position)."""
    registrations = _waiting_for_the_meeting(meeting.id)
    booking_positions = _visit_queue_positions(select(FieldVisit.id).where(FieldVisit.meeting_id == meeting.id),
                                               set(registrations))
    return {rid: n for n, rid in enumerate(registrations, start=1)}, booking_positions


@dataclass
class VisitRoster:
    visit: FieldVisit
    booked: list[Registration]
    waiting: list[Registration]  # in line for the next free place, first first
    pending: list[Registration]  # picked it but still waiting for a place at the meeting itself


def visit_roster(visit: FieldVisit) -> VisitRoster:
    """Who has a place on the visit (by last name), and who waits for one (in queue order)."""
    bookings = db.session.scalars(
        select(VisitBooking).options(selectinload(VisitBooking.registration))
        .where(VisitBooking.visit_id == visit.id).order_by(*_queue_order(VisitBooking))
    ).all()
    booked = sorted((b.registration for b in bookings if b.status == BookingStatus.booked),
                    key=lambda r: (r.last_name.casefold(), r.first_name.casefold(), r.id))
    waiting = [b.registration for b in bookings if b.status == BookingStatus.waitlisted]
    return VisitRoster(
        visit, booked,
        [r for r in waiting if r.status == RegistrationStatus.confirmed],
        [r for r in waiting if r.status != RegistrationStatus.confirmed],
    )


def meeting_has_ended(meeting: Meeting, today: date | None = None) -> bool:
    return (today or meeting.local_now().date()) > meeting.end_date


def purge_id_data(meeting: Meeting, *, force: bool = False) -> int:
    """Erase the ID-document data of every registration of the meeting (port security needs it no
    longer once the meeting is over). Refused before the meeting has ended unless forced.
    Returns how many registrations held some."""
    if not force and not meeting_has_ended(meeting):
        raise RegistrationError(_("The meeting has not ended yet (last day %(date)s); ID data is still needed.",
                                  date=format_date(meeting.end_date, "long")))
    holders = db.session.scalars(select(Registration).where(
        Registration.meeting_id == meeting.id,
        or_(Registration.nationality.is_not(None), Registration.id_number.is_not(None),
            Registration.date_of_birth.is_not(None)),
    )).all()
    for registration in holders:
        registration.nationality = registration.id_number = registration.date_of_birth = None
    meeting.id_data_purged_at = utcnow()
    db.session.flush()
    return len(holders)


def masked(value: str | None) -> str:
    """A document number as the delegate's own page shows it: only the last two characters."""
    if not value:
        return ""
    return "•" * max(len(value) - 2, 4) + value[-2:]

