"""The organisers' figures for one meeting, computed in a fixed handful of SQL queries."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from portmeet.boarding.service import attendance_by_visit
from portmeet.checkin.service import ArrivalCounts, arrival_counts, local_time
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import (
    BookingStatus,
    Category,
    Registration,
    RegistrationStatus,
    VisitBooking,
)
from portmeet.registration.listing import id_data_missing
from portmeet.registration.waitlist import visit_counts

# A registration window longer than this is drawn from its last days only, so bars stay readable.
MAX_CHART_DAYS = 366


@dataclass
class VisitFigures:
    visit: FieldVisit
    places: int
    booked: int
    waitlisted: int
    missing_id: int | None  # None when the visit needs no ID data
    deadline_passed: bool = False
    boarded: int | None = None  # None until the roll call of the visit has begun
    no_shows: int | None = None  # booked, never marked on board

    @property
    def places_left(self) -> int:
        return max(self.places - self.booked, 0)


@dataclass
class NeedCount:
    """One distinct need as typed by delegates (grouped regardless of case and spacing)."""

    text: str
    count: int


@dataclass
class Dashboard:
    status_counts: dict[RegistrationStatus, int]
    by_day: list[tuple[date, int]]
    by_country: list[tuple[str, int]]  # (ISO code, confirmed registrations), most first
    by_category: list[tuple[Category, int]]  # confirmed registrations
    visits: list[VisitFigures]
    dietary: list[NeedCount]
    accessibility: list[NeedCount]
    arrivals: ArrivalCounts
    today: date  # meeting-local

    @property
    def total(self) -> int:
        return sum(self.status_counts.values())

    @property
    def confirmed(self) -> int:
        return self.status_counts[RegistrationStatus.confirmed]

    @property
    def dietary_total(self) -> int:
        return sum(need.count for need in self.dietary)

    @property
    def accessibility_total(self) -> int:
        return sum(need.count for need in self.accessibility)

    @property
    def roll_call_started(self) -> bool:
        return any(visit.boarded is not None for visit in self.visits)

    @property
    def checkin_started(self) -> bool:
        return self.arrivals.total.arrived > 0


def meeting_dashboard(meeting: Meeting, today: date | None = None) -> Dashboard:
    """Every figure of the meeting's dashboard; the number of queries does not grow with registrations."""
    today = today or meeting.local_now().date()
    status_counts, by_country, by_category = _registration_breakdown(meeting)
    dietary, accessibility = _needs(meeting)
    return Dashboard(
        status_counts=status_counts,
        by_day=_registrations_by_day(meeting, today),
        by_country=by_country,
        by_category=by_category,
        visits=_visit_figures(meeting, today),
        dietary=dietary,
        accessibility=accessibility,
        arrivals=arrival_counts(meeting),
        today=today,
    )


def _registration_breakdown(meeting: Meeting):
    """Counts by status, and confirmed registrations by country and by category, from one grouped query."""
    rows = db.session.execute(
        select(Registration.status, Registration.country, Registration.category, func.count())
        .where(Registration.meeting_id == meeting.id)
        .group_by(Registration.status, Registration.country, Registration.category)
    )
    status_counts = {status: 0 for status in RegistrationStatus}
    countries: Counter[str] = Counter()
    categories: Counter[Category] = Counter()
    for status, country, category, number in rows:
        status_counts[status] += number
        if status == RegistrationStatus.confirmed:
            countries[country] += number
            categories[category] += number
    by_country = sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    by_category = [(category, categories[category]) for category in Category if categories[category]]
    return status_counts, by_country, by_category


def _registrations_by_day(meeting: Meeting, today: date) -> list[tuple[date, int]]:
    """New registrations (any status) per meeting-local day, from the opening of registration to today
    (or to its close), days without any included."""
    created = db.session.scalars(select(Registration.created_at).where(Registration.meeting_id == meeting.id)).all()
    per_day = Counter(local_time(meeting, moment).date() for moment in created)
    first = meeting.registration_opens.date() if meeting.registration_opens else None
    if per_day:
        first = min(first or date.max, min(per_day))
    if first is None:
        return []
    last = min(today, meeting.registration_closes.date() if meeting.registration_closes else meeting.end_date)
    if per_day:
        last = max(last, max(per_day))
    if last < first:
        return []
    first = max(first, last - timedelta(days=MAX_CHART_DAYS - 1))
    return [(first + timedelta(days=n), per_day[first + timedelta(days=n)]) for n in range((last - first).days + 1)]


def _visit_figures(meeting: Meeting, today: date) -> list[VisitFigures]:
    counts = visit_counts(meeting)
    missing = _missing_id_data(meeting)
    attendance = attendance_by_visit(meeting)
    return [
        VisitFigures(
            visit=visit,
            places=visit.capacity,
            booked=counts[visit.id].booked,
            waitlisted=counts[visit.id].waitlisted,
            missing_id=missing.get(visit.id, 0) if visit.requires_id else None,
            deadline_passed=bool(visit.requires_id and visit.id_deadline and visit.id_deadline < today),
            boarded=attendance[visit.id].boarded if visit.id in attendance else None,
            no_shows=attendance[visit.id].no_shows if visit.id in attendance else None,
        )
        for visit in meeting.visits
    ]


def _missing_id_data(meeting: Meeting) -> dict[int, int]:
    """For visits that need ID data: how many booked, not cancelled delegates have not given all of it."""
    visit_ids = [visit.id for visit in meeting.visits if visit.requires_id]
    if not visit_ids:
        return {}
    rows = db.session.execute(
        select(VisitBooking.visit_id, func.count())
        .join(Registration, VisitBooking.registration_id == Registration.id)
        .where(
            VisitBooking.visit_id.in_(visit_ids),
            VisitBooking.status == BookingStatus.booked,
            Registration.status != RegistrationStatus.cancelled,
            id_data_missing(),
        )
        .group_by(VisitBooking.visit_id)
    )
    return dict(rows.all())


def _needs(meeting: Meeting) -> tuple[list[NeedCount], list[NeedCount]]:
    """Catering and accessibility: each distinct need of the confirmed delegates with how many have it."""
    rows = db.session.execute(
        select(Registration.dietary, Registration.accessibility, func.count())
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.confirmed,
            or_(Registration.dietary != "", Registration.accessibility != ""),
        )
        .group_by(Registration.dietary, Registration.accessibility)
    )
    dietary: dict[str, Counter[str]] = {}
    accessibility: dict[str, Counter[str]] = {}
    for diet, access, number in rows:
        _add_need(dietary, diet, number)
        _add_need(accessibility, access, number)
    return _need_counts(dietary), _need_counts(accessibility)


def _add_need(needs: dict[str, Counter[str]], text: str | None, number: int) -> None:
    text = " ".join((text or "").split())
    if text:
        # "Vegetarian", "vegetarian " and "VEGETARIAN." are one line for the caterer.
        needs.setdefault(text.casefold().rstrip("."), Counter())[text] += number


def _need_counts(needs: dict[str, Counter[str]]) -> list[NeedCount]:
    counts = [
        # Shown as most delegates typed it; on a tie, not shouting, then alphabetically.
        NeedCount(text=min(spellings, key=lambda t: (-spellings[t], t.isupper(), t)), count=sum(spellings.values()))
        for spellings in needs.values()
    ]
    return sorted(counts, key=lambda need: (-need.count, need.text.casefold()))
