"""A delegate's personal calendar (.ics): the programme's sessions and only the visits, meals and social events
with places they are booked on."""
from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portmeet.countries import country_name
from portmeet.extensions import db
from portmeet.labels import label
from portmeet.registration.mail import external_url
from portmeet.registration.models import BookingStatus, Registration, VisitBooking
from portmeet.timeutil import utcnow


def booked_visits(registration: Registration) -> list:
    """The field visits the delegate holds a place on (not those they are waiting for), in time order."""
    bookings = db.session.scalars(
        select(VisitBooking).options(selectinload(VisitBooking.visit))
        .where(VisitBooking.registration_id == registration.id, VisitBooking.companion_id.is_(None),
               VisitBooking.status == BookingStatus.booked)
    ).all()
    return sorted((b.visit for b in bookings), key=lambda v: (v.day, v.start_time, v.id))


def itinerary_calendar(registration: Registration) -> bytes:
    """The delegate's calendar: every session of the programme (a meal or social event with places only if
    they have one) and their booked field visits, each an event
    in the meeting's time zone, meeting points as locations. UIDs match the public programme's, so a
    calendar that imported both keeps one copy of each event."""
    meeting = registration.meeting
    zone = ZoneInfo(meeting.timezone)
    page = external_url("meetings.detail", slug=meeting.slug)
    host = urlsplit(page).hostname or "portmeet"
    calendar = icalendar.Calendar.new(prodid="-//portmeet//itinerary//EN",
                                      name=_("%(meeting)s: my itinerary", meeting=meeting.title))
    stamp = utcnow().replace(tzinfo=ZoneInfo("UTC"))

    def event(uid: str, day: date, start: time, end: time, summary: str, location: str, description: str,
              geo: tuple[float, float] | None = None):
        item = icalendar.Event.new(
            uid=f"{uid}@{host}", stamp=stamp, summary=summary, location=location or None,
            description=description or None, url=page,
            start=datetime.combine(day, start, tzinfo=zone), end=datetime.combine(day, end, tzinfo=zone),
        )
        if geo is not None:
            item.add("geo", geo)
        calendar.add_component(item)

    venue = ", ".join(part for part in (meeting.venue, meeting.city) if part)
    # A meal or social event with places is in the calendar only once the delegate has a place at it.
    booked_events = {signup.session_id for signup in registration.signups if signup.status == BookingStatus.booked}
    for session in meeting.sessions:
        if session.takes_sign_ups and session.id not in booked_events:
            continue
        speakers = [", ".join(p for p in (s.name, s.organisation, country_name(s.country)) if p)
                    for s in session.speakers]
        event(f"session-{session.id}-{meeting.slug}", session.day, session.start_time, session.end_time,
              session.title, ", ".join(p for p in (session.room, venue) if p),
              "\n".join([str(label(session.kind)), *speakers, session.description]).strip())
    for visit in booked_visits(registration):
        lines = [_("Your field visit (%(transport)s)", transport=label(visit.transport))]
        if visit.meeting_point:
            lines.append(_("Meeting point: %(place)s", place=visit.meeting_point))
        lines.append(visit.description)
        event(f"visit-{visit.id}-{meeting.slug}", visit.day, visit.start_time, visit.end_time, visit.title,
              visit.meeting_point, "\n".join(lines).strip(), _coordinates(visit))
    calendar.add_missing_timezones(first_date=meeting.start_date, last_date=meeting.end_date)
    return calendar.to_ical()


def _coordinates(item) -> tuple[float, float] | None:
    latitude, longitude = getattr(item, "latitude", None), getattr(item, "longitude", None)
    return (latitude, longitude) if latitude is not None and longitude is not None else None
