"""Accompanying persons: the rules for adding, changing and removing a delegate's companions, their
field-visit picks and their sign-ups for meals and social events.

A companion is not a registration: no e-mail, no private link, no place at the meeting. Their picks are
`VisitBooking` and `SessionSignup` rows with `companion_id` set, counted against the places under the same
locks and waitlist rules as the delegate's (`registration.waitlist`; its docstring gives the lock order); while the
delegate waits for a place at the meeting, their companions' picks wait too. Functions add and flush; the
caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from portmeet.countries import is_country
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.registration import waitlist
from portmeet.registration.errors import RegistrationError
from portmeet.registration.models import Companion, Registration, RegistrationStatus
from portmeet.registration.picks import ID_FIELDS, id_given, pick_problems, picked_sessions, picked_visits

MAX_COMPANIONS = 4  # per delegate: a partner, children; more is a group the organisers arrange by hand


@dataclass
class CompanionData:
    """What the delegate typed for one accompanying person."""

    first_name: str = ""
    last_name: str = ""
    country: str = ""
    diets: list[str] = field(default_factory=list)
    dietary: str = ""
    visits: list[int] = field(default_factory=list)
    signups: list[int] = field(default_factory=list)  # meals and social events taking sign-ups
    # For a visit where port security needs ID data; left empty, what was given stays.
    nationality: str | None = None
    id_number: str | None = None
    date_of_birth: date | None = None

    def id_data(self) -> dict:
        return {name: getattr(self, name) for name in ID_FIELDS}

    @property
    def is_blank(self) -> bool:
        """An empty row of the form (ignored)."""
        return not (self.first_name.strip() or self.last_name.strip() or self.dietary.strip() or self.visits
                    or self.signups or self.diets)


def problems(meeting: Meeting, data: CompanionData, companion: Companion | None = None, *,
             deadlines: bool = True) -> list[tuple[str, str]]:
    """(field, message) for every rule one accompanying person's data breaks: names and country given,
    visits and events offered by the meeting, and the rules of anyone's picks (no two overlapping; the ID
    data port security needs, before each visit's deadline). Places are not checked here: a full visit
    puts them on its waitlist."""
    found: list[tuple[str, str]] = []
    if not data.first_name.strip():
        found.append(("first_name", _("Enter the accompanying person's first name.")))
    if not data.last_name.strip():
        found.append(("last_name", _("Enter the accompanying person's last name.")))
    if not is_country(data.country):
        found.append(("country", _("Choose a country from the list.")))
    if data.nationality and not is_country(data.nationality):
        found.append(("nationality", _("Choose a country from the list.")))
    if any(session_id not in {s.id for s in waitlist.signup_sessions(meeting)} for session_id in data.signups):
        found.append(("signups", _("Choose among the answers offered.")))
    offered = {visit.id: visit for visit in meeting.visits}
    if any(visit_id not in offered for visit_id in data.visits):
        found.append(("visits", _("Pick field visits from the list.")))
        return found
    found += pick_problems(picked_visits(meeting, data.visits), data.id_data(), meeting.local_now().date(), companion,
                           deadlines=deadlines, companion=True)
    return found


def _check(meeting: Meeting, data: CompanionData, companion: Companion | None = None) -> None:
    found = problems(meeting, data, companion)
    if found:
        name, message = found[0]
        raise RegistrationError(message, name)


def _apply(companion: Companion, data: CompanionData, visits: list[FieldVisit]) -> None:
    companion.first_name = data.first_name.strip()
    companion.last_name = data.last_name.strip()
    companion.country = data.country.upper()
    companion.set_dietary(data.diets, data.dietary.strip())
    _apply_id_data(companion, data, visits)


def _apply_id_data(companion: Companion, data: CompanionData, visits: list[FieldVisit]) -> None:
    """Kept only while a picked visit needs it (and the meeting's ID data is not purged); empty fields
    keep what was given."""
    meeting = visits[0].meeting if visits else None
    if not any(visit.requires_id for visit in visits) or meeting.id_data_purged_at is not None:
        clear_id_data(companion)
        return
    for name, value in data.id_data().items():
        value = value.strip() if isinstance(value, str) else value
        if id_given(value):
            setattr(companion, name, value.upper() if name == "nationality" else value)


def clear_id_data(companion: Companion) -> None:
    for name in ID_FIELDS:
        setattr(companion, name, None)


def _refuse_if_cancelled(registration: Registration) -> None:
    if registration.status == RegistrationStatus.cancelled:
        raise RegistrationError(_("This registration was cancelled; it can no longer be changed."))


def add_companions(registration: Registration, rows: list[CompanionData], promotions: waitlist.Promotions) -> list[Companion]:
    """Add accompanying persons (blank rows ignored) with their picks: a place on each visit while one
    is left and the delegate has a place at the meeting, else its waitlist. The meeting must be locked
    already (as `register` does); this locks the visits."""
    _refuse_if_cancelled(registration)
    rows = [row for row in rows if not row.is_blank]
    if len(registration.companions) + len(rows) > MAX_COMPANIONS:
        raise RegistrationError(_("At most %(num)s accompanying persons per delegate; for more, please write to "
                                  "the organisers.", num=MAX_COMPANIONS))
    for row in rows:
        _check(registration.meeting, row)
    # Every place these rows pick, locked at once: visits, then sessions (the lock order).
    waitlist.lock_visits([visit_id for row in rows for visit_id in row.visits])
    waitlist.lock_places(waitlist.SESSIONS, [session_id for row in rows for session_id in row.signups])
    added = []
    for row in rows:
        companion = Companion(first_name="", last_name="", country="", bookings=[], signups=[])
        _apply(companion, row, picked_visits(registration.meeting, row.visits))
        registration.companions.append(companion)
        db.session.flush()
        meeting = registration.meeting
        waitlist.book(registration, picked_visits(meeting, row.visits), promotions, companion=companion)
        waitlist.sign_up(registration, picked_sessions(meeting, row.signups), promotions, companion=companion)
        added.append(companion)
    db.session.flush()
    return added


def add_companion(registration: Registration, data: CompanionData) -> tuple[Companion, waitlist.Promotions]:
    """The delegate adds one accompanying person from their own page."""
    _refuse_if_cancelled(registration)
    waitlist.lock_meeting(registration.meeting)
    promotions = waitlist.Promotions()
    if data.is_blank:
        _check(registration.meeting, data)  # says which names are missing
    companion, = add_companions(registration, [data], promotions)
    return companion, promotions


def update_companion(companion: Companion, data: CompanionData) -> waitlist.Promotions:
    """Change an accompanying person's details and picks: a dropped pick frees its place for the oldest
    waiting pick; a new one takes a place if one is left, else joins the waitlist."""
    registration = companion.registration
    _refuse_if_cancelled(registration)
    meeting = registration.meeting
    waitlist.lock_meeting(meeting)
    _check(meeting, data, companion)
    visits = picked_visits(meeting, data.visits)
    dropped, added = waitlist.change_picks(waitlist.VISITS, companion.bookings, visits)
    dropped_sessions, added_sessions = waitlist.change_picks(waitlist.SESSIONS, companion.signups,
                                                             picked_sessions(meeting, data.signups))
    db.session.flush()
    promotions = waitlist.Promotions()
    if dropped:
        waitlist.fill_visits(dropped, promotions)
    if dropped_sessions:
        waitlist.fill_places(waitlist.SESSIONS, dropped_sessions, promotions)
    _apply(companion, data, visits)
    waitlist.book(registration, added, promotions, companion=companion)
    waitlist.sign_up(registration, added_sessions, promotions, companion=companion)
    db.session.flush()
    return promotions


def remove_companion(companion: Companion) -> waitlist.Promotions:
    """Remove an accompanying person: their places go to the next in line."""
    registration = companion.registration
    _refuse_if_cancelled(registration)
    waitlist.lock_meeting(registration.meeting)
    return _drop(registration, [companion])


def drop_all(registration: Registration) -> None:
    """Remove every accompanying person's picks and sign-ups (the delegate cancelled; the caller has locked
    the meeting and these places, and fills them once its own are free too); the companions stay listed on
    the cancelled registration."""
    for companion in registration.companions:
        companion.bookings.clear()
        companion.signups.clear()
        clear_id_data(companion)  # they go on no visit now
    db.session.flush()


def _drop(registration: Registration, companions: list[Companion]) -> waitlist.Promotions:
    visit_ids = sorted({b.visit_id for companion in companions for b in companion.bookings})
    session_ids = sorted({s.session_id for companion in companions for s in companion.signups})
    waitlist.lock_visits(visit_ids)
    waitlist.lock_places(waitlist.SESSIONS, session_ids)
    for companion in companions:
        registration.companions.remove(companion)
    db.session.flush()
    promotions = waitlist.Promotions()
    waitlist.fill_visits(visit_ids, promotions)
    waitlist.fill_places(waitlist.SESSIONS, session_ids, promotions)
    return promotions


def companion_of(registration: Registration, companion_id: int) -> Companion | None:
    """One of this delegate's accompanying persons, or None (another delegate's, or no such id)."""
    return next((companion for companion in registration.companions if companion.id == companion_id), None)


@dataclass
class CompanionPick:
    place: FieldVisit | ProgrammeSession  # a field visit, or a meal or social event
    status: str  # booked, waitlisted
    position: int | None  # in its queue, while waiting

    @property
    def is_visit(self) -> bool:
        return isinstance(self.place, FieldVisit)


@dataclass
class CompanionPicks:
    companion: Companion
    picks: list[CompanionPick]


def picks_of(registration: Registration) -> list[CompanionPicks]:
    """Each accompanying person with their picks (visits, meals and social events, in time order) and queue
    positions (for pages and e-mails)."""
    result = []
    for companion in registration.companions:
        picks = [CompanionPick(b.visit, b.status.value, position)
                 for b, position in waitlist.picks_with_positions(registration, waitlist.VISITS, companion.bookings)]
        picks += [CompanionPick(s.session, s.status.value, position)
                  for s, position in waitlist.picks_with_positions(registration, waitlist.SESSIONS, companion.signups)]
        picks.sort(key=lambda pick: (pick.place.day, pick.place.start_time, pick.place.id))
        result.append(CompanionPicks(companion, picks))
    return result
