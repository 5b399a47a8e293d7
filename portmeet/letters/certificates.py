"""Certificates of attendance: for delegates checked in at the desk, once the meeting is over."""
from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portmeet.extensions import db
from portmeet.i18n import collation_key
from portmeet.letters import images
from portmeet.letters.service import letterhead_of
from portmeet.meetings.models import Meeting
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, VisitBooking


def meeting_is_over(meeting: Meeting, today: date | None = None) -> bool:
    return (today or meeting.local_now().date()) > meeting.end_date


def certificate_available(registration: Registration, today: date | None = None) -> bool:
    """After the meeting's last day (its own calendar), for a delegate who was checked in."""
    return (registration.checked_in_at is not None and registration.status != RegistrationStatus.cancelled
            and meeting_is_over(registration.meeting, today))


def attended(meeting: Meeting) -> list[Registration]:
    """Everyone checked in, by last name then first name, with their bookings loaded."""
    registrations = db.session.scalars(
        select(Registration).options(selectinload(Registration.bookings).selectinload(VisitBooking.visit))
        .where(Registration.meeting_id == meeting.id, Registration.checked_in_at.is_not(None),
               Registration.status != RegistrationStatus.cancelled)
    ).all()
    return sorted(registrations, key=lambda r: (collation_key(r.last_name), collation_key(r.first_name), r.id))


def booked_visits(registration: Registration) -> list:
    visits = [b.visit for b in registration.bookings if b.status == BookingStatus.booked]
    return sorted(visits, key=lambda v: (v.day, v.start_time, v.id))


def reference(registration: Registration) -> str:
    return f"{registration.meeting.slug.upper()}/CA/{registration.id:05d}"


def _page(registration: Registration, shared: dict) -> Markup:
    """One certificate page, in the delegate's own language."""
    with force_locale(registration.language or registration.meeting.language):
        return Markup(render_template("letters/_certificate_page.html", registration=registration,
                                      visits=booked_visits(registration), reference=reference(registration),
                                      **shared))


def certificates_html(meeting: Meeting, registrations: list[Registration]) -> str:
    """One print document, a page per delegate, each page in that delegate's language."""
    letterhead = letterhead_of(meeting)
    shared = dict(meeting=meeting, letterhead=letterhead, logo=images.data_uri(letterhead.logo_file),
                  signature=images.data_uri(letterhead.signature_file))
    pages = [_page(registration, shared) for registration in registrations]
    language = (registrations[0].language if len(registrations) == 1 else None) or meeting.language
    with force_locale(language):
        return render_template("letters/certificates.html", pages=pages, meeting=meeting,
                               single=registrations[0] if len(registrations) == 1 else None)
