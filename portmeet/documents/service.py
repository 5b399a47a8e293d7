"""What each printed document shows: badges, attendee lists, programme, itinerary, manifests, calendar."""
from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import segno
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portmeet.countries import country_name
from portmeet.extensions import db
from portmeet.i18n import collation_key, current_language
from portmeet.labels import label
from portmeet.meetings.models import Meeting, ProgrammeSession
from portmeet.meetings.service import programme_by_day
from portmeet.registration.models import Category, Registration, RegistrationStatus, VisitBooking
from portmeet.registration.service import VisitRoster, checkin_token
from portmeet.timeutil import utcnow

# Category colour bands (Okabe–Ito palette, told apart by colour-blind readers too); the word is printed
# on the band as well, so the colour is never the only cue.
CATEGORY_COLOURS: dict[Category, tuple[str, str]] = {
    Category.delegate: ("#0072B2", "#ffffff"),
    Category.speaker: ("#D55E00", "#ffffff"),
    Category.host: ("#009E73", "#ffffff"),
    Category.organiser: ("#6A3D9A", "#ffffff"),
    Category.press: ("#E69F00", "#000000"),
    Category.accompanying: ("#5F6B73", "#ffffff"),
}


@dataclass(frozen=True)
class BadgeLayout:
    """Page size and the badge name's box, in millimetres (they must match static/css/print.css)."""

    name: str
    per_page: int
    name_box: tuple[float, float]  # width, height
    name_sizes: tuple[float, float]  # largest, smallest font size in points


BADGE_LAYOUTS = {
    "a4-8": BadgeLayout("a4-8", 8, (80.0, 17.0), (24.0, 7.0)),
    "a6": BadgeLayout("a6", 1, (93.0, 40.0), (40.0, 10.0)),
}
NAME_LINE_HEIGHT = 1.15  # must match `.badge-name { line-height }` in the print CSS
PT_PER_MM = 72 / 25.4


@dataclass
class Badge:
    registration: Registration
    name: str
    name_size: float
    organisation: str
    country: str
    category: str
    colour: str
    ink: str
    qr: Markup


def _em_width(char: str) -> float:
    """A generous estimate of a bold sans-serif glyph's advance, in ems (Noto Sans Bold measures less)."""
    if char.isspace():
        return 0.3
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "il.,'’|!:;ıjtfI":
        return 0.36
    if char.isupper() or char in "mwMWœæ@%":
        return 0.84
    return 0.64


def _lines_needed(words: list[float], line_width: float) -> int:
    """Greedy line filling of word widths, as the browser does; a word wider than a line breaks anywhere."""
    lines, current = 0, None
    space = 0.3
    for width in words:
        if current is not None and current + space + width <= line_width:
            current += space + width
            continue
        lines += math.ceil(width / line_width) if width > line_width else 1
        current = width - line_width * (math.ceil(width / line_width) - 1) if width > line_width else width
    return max(lines, 1)


def name_font_size(name: str, layout: BadgeLayout) -> float:
    """The largest font size (pt) at which the whole name fits its box on the badge, so no name is ever cut."""
    width_mm, height_mm = layout.name_box
    box_width, box_height = width_mm * PT_PER_MM, height_mm * PT_PER_MM
    words = [sum(_em_width(c) for c in word) for word in name.split()] or [0.0]
    largest, smallest = layout.name_sizes
    size = largest
    while size > smallest:
        lines = _lines_needed([w * size for w in words], box_width)
        if lines * size * NAME_LINE_HEIGHT <= box_height:
            return size
        size = round(size - 0.5, 1)
    return smallest


def checkin_url(registration: Registration, meeting: Meeting) -> str:
    """The absolute URL a badge's QR opens: the check-in page of that registration (signed code)."""
    return url_for("checkin.registration", slug=meeting.slug, code=checkin_token(registration), _external=True)


def qr_code(data: str) -> Markup:
    """A QR code as inline SVG (segno); the module size comes from the print CSS."""
    return Markup(segno.make(data, micro=False).svg_inline(border=0, omitsize=True, svgclass="qr", lineclass=None))


def badge_registrations(meeting: Meeting, statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.confirmed,),
                        category: Category | None = None, ids: list[int] | None = None) -> list[Registration]:
    """The registrations to print badges for, by last name then first name."""
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.status.in_(statuses))
    if category is not None:
        query = query.where(Registration.category == category)
    if ids is not None:
        query = query.where(Registration.id.in_(ids))
    return sorted(db.session.scalars(query), key=registration_sort_key)


def registration_sort_key(registration: Registration) -> tuple:
    return (collation_key(registration.last_name), collation_key(registration.first_name), registration.id)


def badges(meeting: Meeting, registrations: list[Registration], layout: BadgeLayout) -> list[Badge]:
    language = current_language()
    result = []
    for registration in registrations:
        colour, ink = CATEGORY_COLOURS[registration.category]
        name = registration.display_badge_name
        result.append(Badge(
            registration=registration,
            name=name,
            name_size=name_font_size(name, layout),
            organisation=registration.organisation,
            country=country_name(registration.country, language),
            category=label(registration.category),
            colour=colour,
            ink=ink,
            qr=qr_code(checkin_url(registration, meeting)),
        ))
    return result


def pages(items: list, per_page: int) -> list[list]:
    return [items[start:start + per_page] for start in range(0, len(items), per_page)]


# --- attendee lists -----------------------------------------------------------------------------

@dataclass
class CountryGroup:
    code: str
    name: str
    registrations: list[Registration] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.registrations)


def attendees_by_country(meeting: Meeting, include_waitlist: bool = False,
                         consenting_only: bool = False) -> list[CountryGroup]:
    """Registrations grouped by country (groups by country name), each sorted by last then first name.
    Confirmed only unless the waitlist is asked for; the public list keeps only those who consented."""
    statuses = [RegistrationStatus.confirmed] + ([RegistrationStatus.waitlisted] if include_waitlist else [])
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.status.in_(statuses))
    if consenting_only:
        query = query.where(Registration.consent_list.is_(True))
    language = current_language()
    groups: dict[str, CountryGroup] = {}
    for registration in db.session.scalars(query):
        code = registration.country.upper()
        groups.setdefault(code, CountryGroup(code, country_name(code, language))).registrations.append(registration)
    for group in groups.values():
        group.registrations.sort(key=registration_sort_key)
    return sorted(groups.values(), key=lambda g: collation_key(g.name))


def csv_text(header: list[str], rows: list[list]) -> str:
    """CSV with a BOM (spreadsheets then read UTF-8); a cell that would run as a formula is quoted."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def attendees_csv(groups: list[CountryGroup]) -> str:
    header = ["country", "country name", "last name", "first name", "organisation", "job title", "category",
              "status", "e-mail"]
    rows = [[g.code, g.name, r.last_name, r.first_name, r.organisation, r.job_title, r.category.value,
             r.status.value, r.email] for g in groups for r in g.registrations]
    return csv_text(header, rows)


# --- field-visit manifests ----------------------------------------------------------------------

def manifest_csv(roster: VisitRoster) -> str:
    visit = roster.visit
    header = ["list", "last name", "first name", "organisation", "country", "phone"]
    if visit.requires_id:
        header += ["nationality", "ID document number", "date of birth"]
    rows = []
    for list_name, registrations in (("booked", roster.booked), ("waitlist", roster.waiting)):
        for r in registrations:
            row = [list_name, r.last_name, r.first_name, r.organisation, country_name(r.country), r.phone]
            if visit.requires_id:
                row += [r.nationality or "", r.id_number or "", r.date_of_birth.isoformat() if r.date_of_birth else ""]
            rows.append(row)
    return csv_text(header, rows)


# --- programme, itinerary, calendar --------------------------------------------------------------

@dataclass
class ItineraryItem:
    start: time
    end: time
    session: ProgrammeSession | None = None
    booking: VisitBooking | None = None


def itinerary(registration: Registration) -> list[tuple[date, list[ItineraryItem]]]:
    """The delegate's days: every session, and their own field visits (booked or waitlisted), in time order."""
    bookings = db.session.scalars(
        select(VisitBooking).options(selectinload(VisitBooking.visit))
        .where(VisitBooking.registration_id == registration.id)
    ).all()
    days = []
    for day, sessions, _visits in programme_by_day(registration.meeting):
        items = [ItineraryItem(s.start_time, s.end_time, session=s) for s in sessions]
        items += [ItineraryItem(b.visit.start_time, b.visit.end_time, booking=b) for b in bookings if b.visit.day == day]
        items.sort(key=lambda item: (item.start, item.end))
        days.append((day, items))
    return days


def programme_calendar(meeting: Meeting, host: str) -> bytes:
    """The programme as iCalendar: every session and field visit an event in the meeting's time zone."""
    zone = ZoneInfo(meeting.timezone)
    calendar = icalendar.Calendar.new(prodid="-//portmeet//programme//EN", name=meeting.title)
    stamp = utcnow().replace(tzinfo=ZoneInfo("UTC"))

    def event(uid: str, day: date, start: time, end: time, summary: str, location: str, description: str):
        calendar.add_component(icalendar.Event.new(
            uid=f"{uid}@{host}", stamp=stamp, summary=summary, location=location or None,
            description=description or None,
            start=datetime.combine(day, start, tzinfo=zone), end=datetime.combine(day, end, tzinfo=zone),
        ))

    venue = ", ".join(part for part in (meeting.venue, meeting.city) if part)
    for session in meeting.sessions:
        speakers = [", ".join(p for p in (s.name, s.organisation, country_name(s.country)) if p)
                    for s in session.speakers]
        event(f"session-{session.id}-{meeting.slug}", session.day, session.start_time, session.end_time,
              session.title, ", ".join(p for p in (session.room, venue) if p),
              "\n".join([str(label(session.kind)), *speakers, session.description]).strip())
    for visit in meeting.visits:
        event(f"visit-{visit.id}-{meeting.slug}", visit.day, visit.start_time, visit.end_time,
              visit.title, visit.meeting_point,
              "\n".join([_("Field visit (%(transport)s)", transport=label(visit.transport)), visit.description]).strip())
    calendar.add_missing_timezones(first_date=meeting.start_date, last_date=meeting.end_date)
    return calendar.to_ical()
