"""The manage side's views of registrations: the filtered table, status counts, a visit's roster."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portmeet.collation import fold, matches, name_key
from portmeet.dietary import Diet, dietary_needs_given, having_diet
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import (
    BookingStatus,
    Category,
    Companion,
    Registration,
    RegistrationStatus,
    VisitBooking,
)
from portmeet.questions.service import answered_with
from portmeet.registration.waitlist import queue_order, registration_counts


@dataclass
class RegistrationFilters:
    status: str = ""
    country: str = ""
    category: str = ""
    visit: int | None = None
    booking: str = ""  # with `visit`: only the picks booked, or only those waiting
    id_missing: bool = False  # booked on a visit that needs ID data (`visit`, or any), and some is missing
    needs: str = ""  # "dietary", "accessibility" (only delegates with some), "diet:<Diet value>" (that need)
    arrived: str = ""  # "yes" or "no": checked in at the desk or not
    answer: tuple[int, str] | None = None  # (question id, choice): only those who gave that answer
    search: str = ""  # words to find in the name, e-mail or organisation, accents and case aside (as the desk)


def id_data_missing():
    """The condition "some ID-document data is missing" on a registration."""
    return or_(Registration.nationality.is_(None), Registration.nationality == "",
               Registration.id_number.is_(None), Registration.id_number == "",
               Registration.date_of_birth.is_(None))


def registrations_of(meeting: Meeting, filters: RegistrationFilters | None = None) -> list[Registration]:
    """The meeting's registrations matching the filters, by last name (collation.name_key), with their picks
    loaded. The search and the order are done in Python, so accents fold alike on SQLite and PostgreSQL."""
    filters = filters or RegistrationFilters()
    query = (
        select(Registration)
        .options(selectinload(Registration.bookings).selectinload(VisitBooking.visit),
                 selectinload(Registration.companions))
        .where(Registration.meeting_id == meeting.id)
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
    if filters.needs == "dietary":
        query = query.where(dietary_needs_given(Registration))
    elif filters.needs == "accessibility":
        query = query.where(Registration.accessibility != "")
    elif filters.needs.removeprefix("diet:") in Diet._value2member_map_:
        query = query.where(having_diet(Registration, filters.needs.removeprefix("diet:")))
    if filters.arrived == "yes":
        query = query.where(Registration.checked_in_at.is_not(None))
    elif filters.arrived == "no":
        query = query.where(Registration.checked_in_at.is_(None))
    if filters.answer is not None:
        query = query.where(answered_with(*filters.answer))
    registrations = db.session.scalars(query)
    words = fold(filters.search).split()
    if words:
        registrations = (r for r in registrations
                         if matches(words, r.first_name, r.last_name, r.badge_name, r.email, r.organisation))
    return sorted(registrations, key=name_key)


def countries_present(meeting: Meeting) -> list[str]:
    """The country codes of the meeting's registrations (the table's country filter offers only these)."""
    return list(db.session.scalars(
        select(Registration.country).where(Registration.meeting_id == meeting.id).distinct()
    ))


def status_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    return registration_counts(meeting)


@dataclass
class VisitRoster:
    """The people of a visit: delegates, and persons accompanying them (`Companion`, `is_companion`)."""

    visit: FieldVisit
    booked: list[Registration | Companion]
    waiting: list[Registration | Companion]  # in line for the next free place, first first
    pending: list[Registration | Companion]  # picked it but still waiting for a place at the meeting itself


def visit_roster(visit: FieldVisit) -> VisitRoster:
    """Who has a place on the visit (by last name), and who waits for one (in queue order)."""
    bookings = db.session.scalars(
        select(VisitBooking).options(selectinload(VisitBooking.registration), selectinload(VisitBooking.companion))
        .where(VisitBooking.visit_id == visit.id, VisitBooking.status != BookingStatus.cancelled)
        .order_by(*queue_order(VisitBooking))
    ).all()
    booked = sorted((b.person for b in bookings if b.status == BookingStatus.booked),
                    key=name_key)
    waiting = [b.person for b in bookings if b.status == BookingStatus.waitlisted]
    return VisitRoster(
        visit, booked,
        [r for r in waiting if r.status == RegistrationStatus.confirmed],
        [r for r in waiting if r.status != RegistrationStatus.confirmed],
    )
