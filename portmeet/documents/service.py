"""What each printed document shows: badges, attendee lists, programme, itinerary, manifests, calendar."""
from __future__ import annotations

import hashlib
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Text, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import contains_eager, selectinload

from portmeet.boarding.service import BoardingMarks
from portmeet.checkin.service import local_time
from portmeet.collation import name_key
from portmeet.countries import country_name
from portmeet.documents.qr import qr_image
from portmeet.csv_export import csv_text
from portmeet.extensions import db
from portmeet.i18n import collation_key, current_language
from portmeet.labels import label
from portmeet.meetings.content import localized
from portmeet.meetings.models import Meeting, ProgrammeSession
from portmeet.meetings.service import programme_by_day
from portmeet.registration.models import (
    Category,
    Companion,
    Registration,
    RegistrationStatus,
    SessionSignup,
    VisitBooking,
)
from portmeet.checkin.tokens import checkin_token
from portmeet.registration.listing import VisitRoster
from portmeet.timeutil import utcnow
from portmeet.urls import base_host, external_url

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
    """The boxes whose text shrinks to fit, in millimetres (they must match static/css/print.css)."""

    name: str
    per_page: int
    name_box: tuple[float, float]  # width, height
    name_sizes: tuple[float, float]  # largest, smallest font size in points
    organisation_box: tuple[float, float]
    organisation_sizes: tuple[float, float]


BADGE_LAYOUTS = {
    "a4-8": BadgeLayout("a4-8", 8, (80.0, 17.0), (24.0, 7.0), (58.0, 11.0), (9.0, 6.5)),
    "a6": BadgeLayout("a6", 1, (93.0, 40.0), (40.0, 10.0), (89.0, 16.0), (13.0, 8.0)),
}
NAME_LINE_HEIGHT = 1.15  # must match `.badge-name { line-height }` in the print CSS
ORGANISATION_LINE_HEIGHT = 1.2  # `.badge-org { line-height }`
PT_PER_MM = 72 / 25.4
# The badge's font stack, bold (the widest), in the order of the print CSS's `font-family`: a character is measured
# in the first font that has it, as Pango picks it.
NAME_FONTS = ("Noto Sans:bold", "Noto Sans Hebrew:bold", "Noto Sans Arabic:bold", "DejaVu Sans:bold")
# Widths ignore kerning (which mostly tightens) and measure Arabic letters in their isolated forms (the
# widest); this margin covers what is left, such as a line made taller by a fallback font.
FIT_MARGIN = 0.94
BREAK_AFTER = "-\u2010\u2013/"  # a line may break after a hyphen, a dash or a slash (Unicode line breaking)


@dataclass
class Badge:
    registration: Registration | Companion  # a delegate, or a person accompanying one
    name: str
    name_size: float
    organisation: str
    organisation_size: float
    country: str
    category: Category
    category_label: str
    qr: Markup


@lru_cache(maxsize=1)
def _name_font_widths() -> tuple[dict[int, float], ...]:
    """Advance widths (in ems) of every character of each installed font of the badge name's stack."""
    from fontTools.ttLib import TTFont

    tables = []
    for pattern in NAME_FONTS:
        try:
            path = subprocess.run(["fc-match", "--format=%{file}", pattern], capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
            font = TTFont(path, lazy=True, fontNumber=0)
            advances, units = font["hmtx"].metrics, font["head"].unitsPerEm
            tables.append({code: advances[glyph][0] / units for code, glyph in font.getBestCmap().items()})
        except (OSError, subprocess.SubprocessError, KeyError, ValueError):
            continue  # that font is missing: the next one, or the estimate below, measures its characters
    return tuple(tables)


def _em_width(char: str) -> float:
    """The advance of a bold character in ems, from the font that will draw it."""
    code = ord(char)
    for widths in _name_font_widths():
        if code in widths:
            return widths[code]
    if unicodedata.combining(char):
        return 0.0
    return 0.6 if char.isspace() else 1.0  # no font measured it: a generous width


def _segments(name: str) -> list[tuple[float, list[float]]]:
    """The name cut where a line may break, as (width of the space before, widths of its characters)."""
    segments: list[tuple[float, list[float]]] = []
    for word in name.split():
        gap = _em_width(" ") if segments else 0.0
        piece: list[float] = []
        for char in word:
            piece.append(_em_width(char))
            if char in BREAK_AFTER:
                segments.append((gap, piece))
                gap, piece = 0.0, []
        if piece:
            segments.append((gap, piece))
    return segments


def _lines_needed(segments: list[tuple[float, list[float]]], line_width: float) -> int:
    """Greedy line filling, as the layout engine does; a piece wider than a line breaks between any two
    characters (`overflow-wrap: anywhere`)."""
    lines, used = 1, None  # used: the width taken on the current line, None while it is empty
    for gap, chars in segments:
        width = sum(chars)
        if used is not None and used + gap + width <= line_width:
            used += gap + width
            continue
        if used is not None:
            lines += 1
        used = 0.0
        if width <= line_width:
            used = width
            continue
        for char in chars:
            if used and used + char > line_width:
                lines += 1
                used = 0.0
            used += char
    return lines


def fitting_font_size(text: str, box: tuple[float, float], sizes: tuple[float, float],
                      line_height: float = NAME_LINE_HEIGHT) -> float:
    """The largest font size (pt, in half points) at which the whole text fits its box (mm), measured with the
    fonts' own advance widths, so that no badge name is ever cut; the smallest size when nothing fits."""
    box_width = box[0] * PT_PER_MM * FIT_MARGIN
    box_height = box[1] * PT_PER_MM * FIT_MARGIN
    segments = _segments(text) or [(0.0, [0.0])]
    largest, smallest = sizes
    size = largest
    while size > smallest:
        scaled = [(gap * size, [char * size for char in chars]) for gap, chars in segments]
        if _lines_needed(scaled, box_width) * size * line_height <= box_height:
            return size
        size -= 0.5
    return smallest


def name_font_size(name: str, layout: BadgeLayout) -> float:
    return fitting_font_size(name, layout.name_box, layout.name_sizes)


def checkin_url(registration: Registration, meeting: Meeting) -> str:
    """The absolute URL a badge's QR opens: the check-in page of that registration (signed code)."""
    return external_url("checkin.registration", slug=meeting.slug, code=checkin_token(registration))


qr_code = qr_image  # the code's image is made by the PDF renderer (documents/qr.py)


def _badge_criteria(meeting: Meeting, statuses: tuple[RegistrationStatus, ...], category: Category | None,
                    ids: list[int] | None) -> list:
    criteria = [Registration.meeting_id == meeting.id, Registration.status.in_(statuses)]
    if category is not None:
        criteria.append(Registration.category == category)
    if ids is not None:
        criteria.append(Registration.id.in_(ids))
    return criteria


def badge_registrations(meeting: Meeting, statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.confirmed,),
                        category: Category | None = None, ids: list[int] | None = None) -> list[Registration]:
    """The registrations to print badges for, by last name then first name."""
    query = select(Registration).where(*_badge_criteria(meeting, statuses, category, ids))
    return sorted(db.session.scalars(query), key=registration_sort_key)


def badges_fingerprint(meeting: Meeting, layout: BadgeLayout,
                       statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.confirmed,),
                       category: Category | None = None, ids: list[int] | None = None) -> tuple[str, int]:
    """What a badge sheet is made of, as a cache key (documents/cache.py), and its number of badges; read
    without writing the sheet's HTML."""
    return _fingerprint(meeting, f"badges {layout.name}", _badge_criteria(meeting, statuses, category, ids),
                        checkin_url=external_url("checkin.registration", slug=meeting.slug, code="-"))


def _fingerprint(meeting: Meeting, document: str, criteria: list, **more) -> tuple[str, int]:
    """A digest of every column of the meeting and of the registrations a document prints (all of them, so
    that a column added later is never left out), with the language and whatever else it depends on; and
    the number of those registrations."""
    count, rows = _rows_digest(criteria)
    # Every companion of the meeting: a sheet of the accompanying category prints the companions of delegates
    # of any category (a change to any of them may change a document; a spare re-render costs nothing else).
    _companions, companion_rows = _companions_digest([Registration.meeting_id == meeting.id])
    digest = hashlib.sha256(repr((
        document, current_language(), sorted(more.items()),
        [getattr(meeting, column.key) for column in Meeting.__mapper__.column_attrs],
        hashlib.sha256(str(current_app.config["SECRET_KEY"]).encode()).hexdigest(),  # check-in codes
        rows, companion_rows,
    )).encode())
    return digest.hexdigest(), count


def _companions_digest(criteria: list) -> tuple[int, str]:
    """How many persons accompany the registrations meeting `criteria`, and a digest of all their columns and
    their delegate's status and name (a partner added, renamed or removed, their delegate promoted or renamed:
    the badge says "with <delegate>", changes the badge sheet and the list). A few per meeting: read as text."""
    columns = [cast(column, Text) for column in Companion.__table__.columns] + [
        cast(Registration.status, Text), Registration.first_name, Registration.last_name]
    rows = db.session.execute(select(*columns).join(Registration, Registration.id == Companion.registration_id)
                              .where(*criteria).order_by(Companion.id)).all()
    return len(rows), hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def _rows_digest(criteria: list) -> tuple[int, str]:
    """How many registrations meet `criteria`, and a digest of all their columns, in id order. PostgreSQL
    makes the digest itself (each whole row as text), so a thousand rows never travel to Python."""
    if db.engine.dialect.name == "postgresql":
        whole_row = literal_column("CAST(registrations AS TEXT)")
        count, digest = db.session.execute(
            select(func.count(), func.md5(func.string_agg(whole_row, aggregate_order_by(literal("\n"),
                                                                                         Registration.id))))
            .select_from(Registration).where(*criteria)).one()
        return count, digest or ""
    # Elsewhere as text, read as it comes: no type conversion of a thousand rows.
    columns = [cast(column, Text) for column in Registration.__table__.columns]
    rows = db.session.execute(select(*columns).where(*criteria).order_by(Registration.id)).all()
    return len(rows), hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


registration_sort_key = name_key  # one order of names for every document, the table and the desk


def companions_of(meeting: Meeting, statuses, ids: list[int] | None = None) -> list[Companion]:
    """The persons accompanying the meeting's delegates of these statuses (`ids`: of these registrations
    only), with their delegate loaded."""
    query = (select(Companion).join(Registration, Registration.id == Companion.registration_id)
             .options(contains_eager(Companion.registration))
             .where(Registration.meeting_id == meeting.id, Registration.status.in_(statuses)))
    if ids is not None:
        query = query.where(Registration.id.in_(ids))
    return list(db.session.scalars(query))


def badge_people(meeting: Meeting, statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.confirmed,),
                 category: Category | None = None, ids: list[int] | None = None) -> list[Registration | Companion]:
    """Everyone to print a badge for, by last name: the registrations (`badge_registrations`) and the persons
    accompanying them. Companions come with every category but another one asked for; with registration
    numbers (`ids`), only when the accompanying category is asked for (their delegates' numbers)."""
    people: list[Registration | Companion] = badge_registrations(meeting, statuses, category, ids)
    if category in (None, Category.accompanying) and (ids is None or category is Category.accompanying):
        people += companions_of(meeting, statuses, ids)
    return sorted(people, key=registration_sort_key)


def badges(meeting: Meeting, registrations: list[Registration], layout: BadgeLayout) -> list[Badge]:
    """What each badge prints, in the current language (country names, category words)."""
    language = current_language()
    categories = {category: label(category) for category in Category}
    result = []
    for registration in registrations:
        name = registration.display_badge_name
        # An accompanying person's badge names their delegate where the organisation goes, and has no QR code:
        # it would open the delegate's check-in (they have none of their own).
        organisation = (_("with %(name)s", name=registration.registration.full_name) if registration.is_companion
                        else registration.organisation)
        result.append(Badge(
            registration=registration,
            name=name,
            name_size=name_font_size(name, layout),
            organisation=organisation,
            organisation_size=fitting_font_size(organisation, layout.organisation_box,
                                                layout.organisation_sizes, ORGANISATION_LINE_HEIGHT),
            country=country_name(registration.country, language),
            category=registration.category,
            category_label=categories[registration.category],
            qr=Markup("") if registration.is_companion else qr_code(checkin_url(registration, meeting)),
        ))
    return result


def font_sizes(badge_list: list[Badge]) -> list[float]:
    """Every font size the badges' names and organisations use (one style rule each)."""
    return sorted({badge.name_size for badge in badge_list} | {badge.organisation_size for badge in badge_list})


def pages(items: list, per_page: int) -> list[list]:
    return [items[start:start + per_page] for start in range(0, len(items), per_page)]


# --- attendee lists -----------------------------------------------------------------------------

@dataclass
class CountryGroup:
    code: str
    name: str
    registrations: list[Registration | Companion] = field(default_factory=list)  # with accompanying persons

    @property
    def count(self) -> int:
        return len(self.registrations)

    @property
    def accompanying(self) -> int:
        return sum(1 for person in self.registrations if person.is_companion)


def attendees_by_country(meeting: Meeting, include_waitlist: bool = False,
                         consenting_only: bool = False) -> list[CountryGroup]:
    """Registrations and the persons accompanying them (each by their own country) grouped by country
    (groups by country name), each sorted by last then first name. Confirmed only unless the waitlist is
    asked for; the public list keeps only the delegates who consented (no accompanying persons)."""
    statuses = [RegistrationStatus.confirmed] + ([RegistrationStatus.waitlisted] if include_waitlist else [])
    query = select(Registration).where(*_attendee_criteria(meeting, include_waitlist, consenting_only))
    language = current_language()
    groups: dict[str, CountryGroup] = {}
    people = list(db.session.scalars(query))
    if not consenting_only:
        people += companions_of(meeting, statuses)
    for person in people:
        code = person.country.upper()
        groups.setdefault(code, CountryGroup(code, country_name(code, language))).registrations.append(person)
    for group in groups.values():
        group.registrations.sort(key=registration_sort_key)
    return sorted(groups.values(), key=lambda g: collation_key(g.name))


def _attendee_criteria(meeting: Meeting, include_waitlist: bool, consenting_only: bool) -> list:
    statuses = [RegistrationStatus.confirmed] + ([RegistrationStatus.waitlisted] if include_waitlist else [])
    criteria = [Registration.meeting_id == meeting.id, Registration.status.in_(statuses)]
    if consenting_only:
        criteria.append(Registration.consent_list.is_(True))
    return criteria


def attendees_fingerprint(meeting: Meeting, include_waitlist: bool = False) -> tuple[str, int]:
    """What the printed attendee list is made of, as a cache key (documents/cache.py), and its rows."""
    return _fingerprint(meeting, "attendees", _attendee_criteria(meeting, include_waitlist, False),
                        waitlist=include_waitlist)


def attendees_csv(groups: list[CountryGroup]) -> str:
    header = ["country", "country name", "last name", "first name", "organisation", "job title", "category",
              "status", "e-mail", "accompanying"]
    rows = [[g.code, g.name, r.last_name, r.first_name, r.organisation, r.job_title, r.category.value,
             r.status.value, r.email, r.registration.full_name if r.is_companion else ""]
            for g in groups for r in g.registrations]
    return csv_text(header, rows)


# --- field-visit manifests ----------------------------------------------------------------------

def manifest_csv(roster: VisitRoster, questions=(), answers=None,
                 marks: dict[int, BoardingMarks] | None = None) -> str:
    """The manifest as CSV; `questions` (shown on manifests) add a column each, from `answers`
    (registration id → question id → values); then the roll call's times (meeting-local) from `marks`
    (`marks_by_person`); last, for an accompanying person, the delegate they accompany."""
    visit = roster.visit
    answers = answers or {}
    marks = marks or {}
    header = ["list", "last name", "first name", "organisation", "country", "phone", "accessibility needs",
              "dietary needs"]
    if visit.requires_id:
        header += ["nationality", "ID document type", "ID document number", "ID document valid until", "date of birth"]
    header += [question.label for question in questions]
    header += ["boarded at", "returned at", "accompanying"]
    rows = []
    for list_name, registrations in (("booked", roster.booked), ("waitlist", roster.waiting)):
        for r in registrations:
            row = [list_name, r.last_name, r.first_name, r.organisation, country_name(r.country), r.phone,
                   r.accessibility, r.dietary_summary]
            if visit.requires_id and list_name != "booked":
                row += [""] * 5  # ID data only for those going on the visit
            elif visit.requires_id:
                row += [r.nationality or "", r.id_type.value if r.id_type else "", r.id_number or "",
                        r.id_expiry.isoformat() if r.id_expiry else "",
                        r.date_of_birth.isoformat() if r.date_of_birth else ""]
            own_answers = {} if r.is_companion else answers.get(r.id, {})
            row += ["; ".join(own_answers.get(question.id, [])) for question in questions]
            mark = marks.get(r.person_key)
            row += [_local_stamp(visit.meeting, mark.boarded_at if mark else None),
                    _local_stamp(visit.meeting, mark.returned_at if mark else None),
                    r.registration.full_name if r.is_companion else ""]
            rows.append(row)
    return csv_text(header, rows)


def _local_stamp(meeting: Meeting, moment: datetime | None) -> str:
    local = local_time(meeting, moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


# --- programme, itinerary, calendar --------------------------------------------------------------

@dataclass
class ItineraryItem:
    start: time
    end: time
    session: ProgrammeSession | None = None
    booking: VisitBooking | None = None
    signup: SessionSignup | None = None  # the delegate's sign-up for a meal or social event with places


def itinerary(registration: Registration) -> list[tuple[date, list[ItineraryItem]]]:
    """The delegate's days: every session, except the meals and social events with places they have not
    signed up for, and their own field visits (booked or waitlisted), in time order."""
    bookings = db.session.scalars(
        select(VisitBooking).options(selectinload(VisitBooking.visit))
        .where(VisitBooking.registration_id == registration.id, VisitBooking.companion_id.is_(None))
    ).all()
    signups = {signup.session_id: signup for signup in registration.signups}
    days = []
    for day, sessions, _visits in programme_by_day(registration.meeting):
        items = [ItineraryItem(s.start_time, s.end_time, session=s, signup=signups.get(s.id))
                 for s in sessions if not s.takes_sign_ups or s.id in signups]
        items += [ItineraryItem(b.visit.start_time, b.visit.end_time, booking=b) for b in bookings if b.visit.day == day]
        items.sort(key=lambda item: (item.start, item.end))
        days.append((day, items))
    return days


def programme_calendar(meeting: Meeting) -> bytes:
    """The programme as iCalendar: every session and field visit an event in the meeting's time zone."""
    zone = ZoneInfo(meeting.timezone)
    calendar = icalendar.Calendar.new(prodid="-//portmeet//programme//EN", name=localized(meeting, "title"))
    stamp = utcnow().replace(tzinfo=ZoneInfo("UTC"))
    host = base_host()  # UIDs stay the same whatever Host header a request carries

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
              localized(session, "title"), ", ".join(p for p in (session.room, venue) if p),
              "\n".join([str(label(session.kind)), *speakers, session.description]).strip())
    for visit in meeting.visits:
        event(f"visit-{visit.id}-{meeting.slug}", visit.day, visit.start_time, visit.end_time,
              localized(visit, "title"), visit.meeting_point,
              "\n".join([_("Field visit (%(transport)s)", transport=label(visit.transport)), visit.description]).strip())
    calendar.add_missing_timezones(first_date=meeting.start_date, last_date=meeting.end_date)
    return calendar.to_ical()
