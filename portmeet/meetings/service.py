"""Meeting rules: slugs, status changes, the programme's room clashes, speakers, field visits."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portmeet import audit, uploads
from portmeet.accounts.models import MeetingRole, User
from portmeet.countries import is_country
from portmeet.extensions import db
from portmeet.labels import label
from portmeet.meetings.content import translation_fields, translations_from
from portmeet.meetings import changes
from portmeet.meetings.models import (
    PUBLIC_STATUSES,
    FieldVisit,
    Meeting,
    MeetingStatus,
    ProgrammeSession,
    SessionKind,
    Speaker,
    Transport,
)

STATUS_ORDER = list(MeetingStatus)

MEETING_FIELDS = (
    "title", "edition", "slug", "city", "country", "venue", "start_date", "end_date", "timezone",
    "description", "host_organisation", "partners", "contact_email", "registration_opens",
    "registration_closes", "capacity", "status", "language", "venue_latitude", "venue_longitude", "series",
)
SESSION_FIELDS = ("day", "start_time", "end_time", "title", "kind", "room", "description", "capacity")
VISIT_FIELDS = (
    "title", "description", "day", "start_time", "end_time", "meeting_point", "transport",
    "capacity", "requires_id", "id_deadline", "latitude", "longitude",
)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def slug_is_free(slug: str, exclude: Meeting | None = None) -> bool:
    query = select(Meeting.id).where(Meeting.slug == slug)
    if exclude is not None and exclude.id is not None:
        query = query.where(Meeting.id != exclude.id)
    return db.session.scalar(query) is None


def status_change_error(current: MeetingStatus, new: MeetingStatus) -> str | None:
    """Status moves forward (draft → published → closed → archived); a closed meeting may reopen."""
    if new == current:
        return None
    if current == MeetingStatus.closed and new == MeetingStatus.published:
        return None
    if STATUS_ORDER.index(new) < STATUS_ORDER.index(current):
        return _("A %(current)s meeting cannot go back to %(new)s.", current=label(current).lower(), new=label(new).lower())
    return None


def _apply(obj, data: dict, fields: tuple[str, ...]) -> list[str]:
    """Set the given fields; returns the names of those whose value changed (for the audit trail)."""
    changed = []
    for name in fields:
        if name in data:
            if getattr(obj, name) != data[name]:
                changed.append(name)
            setattr(obj, name, data[name])
    if any(key in data for key in translation_fields("title")):  # the form's title_fr, description_es…
        translations = translations_from(data)
        if (obj.translations or None) != translations:
            changed.append("translations")
            obj.translations = translations
    return changed


def _clean_meeting_data(data: dict) -> dict:
    data = dict(data)
    data["slug"] = data.get("slug") or slugify(data.get("title", ""))
    data["status"] = MeetingStatus(data.get("status") or "draft")
    for text in ("venue", "description", "host_organisation", "partners", "contact_email", "series"):
        data[text] = (data.get(text) or "").strip()
    return _coordinates(data, "venue_latitude", "venue_longitude")


def _coordinates(data: dict, latitude: str, longitude: str) -> dict:
    """Coordinates as floats, and only as a pair: one without the other places nothing on a map."""
    if latitude in data or longitude in data:
        lat, lon = data.get(latitude), data.get(longitude)
        pair = (float(lat), float(lon)) if lat is not None and lon is not None else (None, None)
        data[latitude], data[longitude] = pair
    return data


def create_meeting(data: dict, created_by: User | None = None) -> Meeting:
    """Create a meeting; a host who creates it becomes its host."""
    meeting = Meeting()
    _apply(meeting, _clean_meeting_data(data), MEETING_FIELDS)
    db.session.add(meeting)
    if created_by is not None and not created_by.is_organiser:
        meeting.roles.append(MeetingRole(user=created_by, role="host"))
    db.session.flush()
    audit.record(meeting, "meeting.created", subject=meeting)
    return meeting


def update_meeting(meeting: Meeting, data: dict) -> Meeting:
    """Save the edit form; moving a draft to published goes through the same checklist as the Publish button.
    A capacity below the delegates who have a place is refused (PlacesError); a higher one gives the new
    places to the oldest waiting at once."""
    was_draft = meeting.status == MeetingStatus.draft
    capacity_changes = "capacity" in data and data["capacity"] != meeting.capacity
    if capacity_changes:
        changes.lock_meeting_places(meeting, data["capacity"])
    changed = _apply(meeting, _clean_meeting_data(data), MEETING_FIELDS)
    if was_draft and meeting.status == MeetingStatus.published:
        problems = publish_problems(meeting)
        if problems:
            raise PublishRefused(problems)
    db.session.flush()
    details = {"fields": changed}
    if capacity_changes:
        promoted = len(changes.fill_meeting_places(meeting).registrations)
        if promoted:
            details["promoted"] = promoted
    if changed:
        audit.record(meeting, "meeting.changed", subject=meeting, details=details)
    if was_draft and meeting.status == MeetingStatus.published:
        audit.record(meeting, "meeting.published", subject=meeting)
    return meeting


def publish_problems(meeting: Meeting, today: date | None = None) -> list[str]:
    """What a draft still lacks before delegates may see it: each missing item as a sentence, none when ready."""
    today = today or meeting.local_now().date()
    problems = []
    if not meeting.start_date or not meeting.end_date:
        problems.append(_("Give the meeting's first and last day."))
    elif meeting.end_date < today:
        problems.append(_("The meeting's dates are in the past; move them to the coming edition."))
    if not meeting.sessions:
        problems.append(_("Add at least one session to the programme."))
    if not meeting.registration_opens or not meeting.registration_closes:
        problems.append(_("Set when registration opens and when it closes."))
    if not meeting.contact_email:
        problems.append(_("Give a contact e-mail for delegates' questions."))
    return problems


class PublishRefused(ValueError):
    """Publishing was refused; `problems` says what is missing."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def publish(meeting: Meeting, by: User | None = None) -> None:
    """Open a draft to the public, once nothing on the checklist is missing."""
    problems = publish_problems(meeting)
    if problems:
        raise PublishRefused(problems)
    meeting.status = MeetingStatus.published
    db.session.flush()
    audit.record(meeting, "meeting.published", by, subject=meeting)


_PUBLIC_MEETING = select(Meeting).where(Meeting.slug == bindparam("slug"), Meeting.status.in_(PUBLIC_STATUSES))
# Built once: the registration form's POST reads it on every registration.
_PUBLIC_MEETING_WITH_VISITS = _PUBLIC_MEETING.options(joinedload(Meeting.visits))


def public_meeting_or_none(slug: str, *, with_visits: bool = False) -> Meeting | None:
    """The public meeting with this slug; `with_visits` loads its visits in the same query."""
    return db.session.scalars(_PUBLIC_MEETING_WITH_VISITS if with_visits else _PUBLIC_MEETING,
                              {"slug": slug}).unique().first()


def public_meetings(today: date) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming published meetings soonest first, past public meetings latest first)."""
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.status.in_(PUBLIC_STATUSES)).order_by(Meeting.start_date)
    ).all()
    upcoming = [m for m in meetings if m.end_date >= today and m.status != MeetingStatus.archived]
    past = [m for m in reversed(meetings) if m not in upcoming]
    return upcoming, past


def group_by_series(meetings: list[Meeting]) -> tuple[list[tuple[str, list[Meeting]]], list[Meeting]]:
    """([(series name, its editions in the given order)], meetings of no series); series in the order of their
    first edition in the list."""
    groups: dict[str, list[Meeting]] = {}
    alone = []
    for meeting in meetings:
        if meeting.series:
            groups.setdefault(meeting.series, []).append(meeting)
        else:
            alone.append(meeting)
    return list(groups.items()), alone


def outside_dates_message(meeting: Meeting) -> str:
    return _("Choose a day of the meeting (%(first)s to %(last)s).",
             first=format_date(meeting.start_date, "long"), last=format_date(meeting.end_date, "long"))


def room_clash(meeting: Meeting, day: date, start: time, end: time, room: str,
               exclude: ProgrammeSession | None = None) -> ProgrammeSession | None:
    """Another session of the meeting in the same room whose time overlaps, if any."""
    room_key = room.strip().casefold()
    for other in meeting.sessions:
        if other is exclude or other.day != day or other.room.strip().casefold() != room_key:
            continue
        if start < other.end_time and other.start_time < end:
            return other
    return None


@dataclass
class SpeakerLine:
    name: str
    organisation: str
    country: str


def parse_speakers(text: str) -> list[SpeakerLine]:
    """Parse "Name, Organisation, CC" lines; organisation and country may be left out."""
    speakers = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split(",")]
        country = ""
        if len(parts) >= 3:
            country = parts.pop().upper()
            if not is_country(country):
                raise ValueError(_("Line %(number)s: “%(country)s” is not a two-letter country code (e.g. ES, FR, BE).",
                                   number=number, country=country))
        name, organisation = parts[0], ", ".join(parts[1:])
        if not name:
            raise ValueError(_("Line %(number)s: the speaker's name is missing.", number=number))
        if len(name) > 120 or len(organisation) > 200:
            raise ValueError(_("Line %(number)s is too long.", number=number))
        speakers.append(SpeakerLine(name, organisation, country))
    return speakers


def speakers_as_text(session: ProgrammeSession) -> str:
    return "\n".join(
        ", ".join(part for part in (s.name, s.organisation, s.country) if part) for s in session.speakers
    )


def save_session(meeting: Meeting, data: dict, speakers: list[SpeakerLine],
                 session: ProgrammeSession | None = None, *, notify: bool = False) -> ProgrammeSession:
    """Add or change a session; with `notify`, the confirmed delegates hear of a new day, time or room.
    A meal or social event's places go through the waitlist rules as a visit's: fewer than are booked is
    refused (PlacesError), more go to the oldest waiting at once."""
    created = session is None
    if session is not None and "capacity" in data:
        changes.lock_session_places(session, data["capacity"])
    if session is None:
        session = ProgrammeSession(meeting=meeting)
        db.session.add(session)
    data = dict(data, kind=SessionKind(data["kind"]), room=(data.get("room") or "").strip(),
                description=(data.get("description") or "").strip())
    before = changes.snapshot(session, changes.SESSION_NOTICE_FIELDS) if not created else None
    changed = _apply(session, data, SESSION_FIELDS)
    if [(s.name, s.organisation, s.country) for s in session.speakers] != \
            [(s.name, s.organisation, s.country) for s in speakers]:
        changed.append("speakers")
    session.speakers = [
        Speaker(name=s.name, organisation=s.organisation, country=s.country, position=i)
        for i, s in enumerate(speakers)
    ]
    db.session.flush()
    details = {} if created else {"fields": changed}
    if not created and "capacity" in changed:
        promoted = len(changes.fill_session_places(session).signups)
        if promoted:
            details["promoted"] = promoted
    if notify and before is not None:
        details["told"] = changes.notify_session_change(session, before)
    if created or changed:
        audit.record(meeting, "session.created" if created else "session.changed", subject=session,
                     details=details)
    return session


def delete_session(session: ProgrammeSession) -> changes.VisitRemoval:
    """Erase a session, or cancel a meal or social event with sign-ups (see `changes.remove_session`)."""
    meeting_id, title, slides_file = session.meeting_id, session.title, session.slides_file
    removal = changes.remove_session(session)
    if not removal.cancelled:
        uploads.discard(slides_file)  # the file goes once the deletion is committed
    audit.record(meeting_id, "session.cancelled" if removal.cancelled else "session.deleted", subject=session,
                 details={"title": title, "told": removal.told} if removal.cancelled else {})
    return removal


def save_visit(meeting: Meeting, data: dict, visit: FieldVisit | None = None, *, notify: bool = False) -> FieldVisit:
    """Add or change a field visit. Fewer places than are booked is refused (PlacesError); more places
    go to the oldest waiting at once; with `notify`, its delegates hear of a new day, time, meeting
    point or transport."""
    created = visit is None
    before = None
    if visit is not None:
        changes.lock_visit_places(visit, data.get("capacity"))
        before = changes.snapshot(visit, changes.VISIT_NOTICE_FIELDS)
    else:
        visit = FieldVisit(meeting=meeting)
        db.session.add(visit)
    data = _coordinates(dict(data, transport=Transport(data["transport"]),
                             description=(data.get("description") or "").strip(),
                             meeting_point=(data.get("meeting_point") or "").strip()), "latitude", "longitude")
    if not data.get("requires_id"):
        data["id_deadline"] = None
    changed = _apply(visit, data, VISIT_FIELDS)
    db.session.flush()
    details = {} if created else {"fields": changed}
    if not created:
        promoted = len(changes.fill_visit_places(visit).bookings)
        if promoted:
            details["promoted"] = promoted
        if notify:
            details["told"] = changes.notify_visit_change(visit, before)
    if created or changed:
        audit.record(meeting, "visit.created" if created else "visit.changed", subject=visit, details=details)
    return visit


def delete_visit(visit: FieldVisit) -> changes.VisitRemoval:
    """Erase a visit nobody picked, or cancel one with bookings (see `changes.remove_visit`)."""
    meeting_id, title = visit.meeting_id, visit.title
    removal = changes.remove_visit(visit)
    audit.record(meeting_id, "visit.cancelled" if removal.cancelled else "visit.deleted", subject=visit,
                 details={"title": title, "told": removal.told})
    return removal


def programme_by_day(meeting: Meeting) -> list[tuple[date, list[ProgrammeSession], list[FieldVisit]]]:
    """Each day of the meeting with its sessions and field visits, in time order."""
    return [
        (day,
         [s for s in meeting.sessions if s.day == day],
         [v for v in meeting.visits if v.day == day])
        for day in meeting.days
    ]


def timeline_by_day(meeting: Meeting) -> list[tuple[date, list[ProgrammeSession | FieldVisit]]]:
    """Each day with its sessions and field visits in one time order (a 10:45 bus before a 15:00 session);
    at the same time a session comes first."""
    return [
        (day, sorted(sessions + visits, key=lambda item: (item.start_time, item.end_time,
                                                          isinstance(item, FieldVisit), item.id or 0)))
        for day, sessions, visits in programme_by_day(meeting)
    ]
