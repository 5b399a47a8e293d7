"""Check-in desk rules: finding a delegate, marking and undoing arrivals, arrival counts."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select, update

from portmeet import audit
from portmeet.extensions import db
from portmeet.collation import fold, matches
from portmeet.meetings.models import Meeting
from portmeet.registration.models import Category, Registration, RegistrationStatus
from portmeet.timeutil import to_zone, utcnow

SEARCH_LIMIT = 50
RECENT_ARRIVALS = 10


def search(meeting: Meeting, query: str, limit: int = SEARCH_LIMIT) -> tuple[list[Registration], int]:
    """Registrations of the meeting matching every word of the query in the name, badge name,
    organisation or e-mail; returns (the first `limit` matches by name, the number of matches).

    The folding is done in Python over the meeting's registrations (a few hundred at most), so the
    same accents and cases match on SQLite and PostgreSQL alike. Only the searched columns are read
    for all of them; whole registrations only for the matches shown."""
    words = fold(query).split()
    if not words:
        return [], 0
    rows = db.session.execute(
        select(Registration.id, Registration.first_name, Registration.last_name, Registration.badge_name,
               Registration.organisation, Registration.email)
        .where(Registration.meeting_id == meeting.id)
    )
    found = []
    for registration_id, first_name, last_name, badge_name, organisation, email in rows:
        if matches(words, first_name, last_name, badge_name, organisation, email):
            found.append((fold(last_name), fold(first_name), registration_id))  # collation.name_key's order
    found.sort()
    shown = [registration_id for *_, registration_id in found[:limit]]
    if not shown:
        return [], len(found)
    by_id = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(shown)))}
    return [by_id[registration_id] for registration_id in shown], len(found)


def recent_arrivals(meeting: Meeting, limit: int = RECENT_ARRIVALS) -> list[Registration]:
    """The latest arrivals, newest first, so a mistaken click is easy to undo."""
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.checked_in_at.is_not(None))
        .order_by(Registration.checked_in_at.desc(), Registration.id.desc())
        .limit(limit)
    ))


class ArrivalOutcome(enum.Enum):
    checked_in = "checked_in"
    already = "already"  # checked in earlier: nothing changed
    needs_confirmation = "needs_confirmation"  # cancelled or waitlisted, and not confirmed at the desk


def needs_confirmation(registration: Registration) -> bool:
    return registration.status != RegistrationStatus.confirmed


def mark_arrival(registration: Registration, confirmed: bool = False) -> ArrivalOutcome:
    """Record that the delegate is here, once.

    A single conditional UPDATE sets the time only if none is set, so two desks scanning the same
    badge at the same moment still record one arrival (the first)."""
    if registration.checked_in_at is not None:
        return ArrivalOutcome.already
    if needs_confirmation(registration) and not confirmed:
        return ArrivalOutcome.needs_confirmation
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration, ["checked_in_at", "updated_at"])
    if result.rowcount != 1:
        return ArrivalOutcome.already
    audit.record(registration.meeting_id, "checkin.arrived", subject=registration,
                 details={"confirmed_status": registration.status.value} if confirmed else None)
    return ArrivalOutcome.checked_in


def undo_arrival(registration: Registration) -> bool:
    """Clear a mistaken arrival; False if there was none."""
    if registration.checked_in_at is None:
        return False
    registration.checked_in_at = None
    audit.record(registration.meeting_id, "checkin.undone", subject=registration)
    db.session.flush()
    return True


def local_time(meeting: Meeting, moment: datetime | None) -> datetime | None:
    """A stored naive-UTC timestamp as the meeting's wall-clock time."""
    return to_zone(moment, meeting.timezone)


@dataclass
class ArrivalCount:
    arrived: int = 0
    expected: int = 0


@dataclass
class ArrivalCounts:
    total: ArrivalCount = field(default_factory=ArrivalCount)
    by_category: dict[Category, ArrivalCount] = field(default_factory=dict)


def arrival_counts(meeting: Meeting) -> ArrivalCounts:
    """Arrived / expected, overall and by category, in one query.

    Expected are the confirmed registrations; arrived are all checked-in ones (including a
    waitlisted delegate let in at the desk)."""
    rows = db.session.execute(
        select(
            Registration.category,
            func.sum(case((Registration.status == RegistrationStatus.confirmed, 1), else_=0)),
            func.count(Registration.checked_in_at),
        )
        .where(Registration.meeting_id == meeting.id)
        .group_by(Registration.category)
    )
    counts = ArrivalCounts()
    for category, expected, arrived in rows:
        count = ArrivalCount(arrived=arrived or 0, expected=expected or 0)
        counts.by_category[category] = count
        counts.total.arrived += count.arrived
        counts.total.expected += count.expected
    counts.by_category = {c: counts.by_category[c] for c in Category if c in counts.by_category}
    return counts
