"""The organisers' figures for one meeting, computed in a fixed handful of SQL queries."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from portmeet.boarding.service import attendance_by_visit
from portmeet.checkin.service import ArrivalCounts, arrival_counts, local_time
from portmeet.dietary import (
    NeedCount,
    add_text,
    dietary_needs_given,
    parse_codes,
    sort_counts,
    text_counts,
    weighted_need_counts,
)
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
class Dashboard:
    status_counts: dict[RegistrationStatus, int]
    by_day: list[tuple[date, int]]
    by_country: list[tuple[str, int]]  # (ISO code, confirmed registrations), most first
    by_category: list[tuple[Category, int]]  # confirmed registrations
    visits: list[VisitFigures]
    dietary: list[NeedCount]  # each choice, then each text; a delegate with two needs is in both
    dietary_people: int  # confirmed delegates with some dietary need
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
        return self.dietary_people

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
    dietary, dietary_people, accessibility = _needs(meeting)
    return Dashboard(
        status_counts=status_counts,
        by_day=_registrations_by_day(meeting, today),
        by_country=by_country,
        by_category=by_category,
        visits=_visit_figures(meeting, today),
        dietary=dietary,
        dietary_people=dietary_people,
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
            VisitBooking.companion_id.is_(None),
            Registration.status != RegistrationStatus.cancelled,
            id_data_missing(),
        )
        .group_by(VisitBooking.visit_id)
    )
    return dict(rows.all())


def _needs(meeting: Meeting) -> tuple[list[NeedCount], int, list[NeedCount]]:
    """Catering and accessibility of the confirmed delegates: each dietary choice and each distinct need
    typed as text with how many have it, how many have some dietary need, and likewise accessibility."""
    rows = db.session.execute(
        select(Registration.diets, Registration.dietary, Registration.accessibility, func.count())
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.confirmed,
            or_(dietary_needs_given(Registration), Registration.accessibility != ""),
        )
        .group_by(Registration.diets, Registration.dietary, Registration.accessibility)
    ).all()
    diners = [(parse_codes(diets), text, number) for diets, text, _access, number in rows if diets or text]
    accessibility: dict[str, Counter[str]] = {}
    for _diets, _text, access, number in rows:
        add_text(accessibility, access, number)
    return (weighted_need_counts(diners), sum(number for *_need, number in diners),
            sort_counts(text_counts(accessibility)))
