"""The manage side's views of registrations: the filtered table, status counts, a visit's roster."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import BookingStatus, Category, Registration, RegistrationStatus, VisitBooking
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
    needs: str = ""  # "dietary" or "accessibility": only delegates who wrote some
    arrived: str = ""  # "yes" or "no": checked in at the desk or not
    answer: tuple[int, str] | None = None  # (question id, choice): only those who gave that answer


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
    if filters.answer is not None:
        query = query.where(answered_with(*filters.answer))
    return list(db.session.scalars(query))


def status_counts(meeting: Meeting) -> dict[RegistrationStatus, int]:
    return registration_counts(meeting)


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
        .where(VisitBooking.visit_id == visit.id).order_by(*queue_order(VisitBooking))
    ).all()
    booked = sorted((b.registration for b in bookings if b.status == BookingStatus.booked),
                    key=lambda r: (r.last_name.casefold(), r.first_name.casefold(), r.id))
    waiting = [b.registration for b in bookings if b.status == BookingStatus.waitlisted]
    return VisitRoster(
        visit, booked,
        [r for r in waiting if r.status == RegistrationStatus.confirmed],
        [r for r in waiting if r.status != RegistrationStatus.confirmed],
    )
