"""A meeting copied into its next edition: programme, speakers, field visits, hosts and settings, every date
moved by the same number of days; no registrations."""
from __future__ import annotations

import copy
import re
from datetime import date, datetime, timedelta

from sqlalchemy import inspect

from portmeet import audit
from portmeet.accounts.models import MeetingRole, User
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus, ProgrammeSession, Speaker

# Columns of a meeting that belong to one edition only, set anew (or left empty) on the copy.
EDITION_ONLY = {"id", "title", "slug", "edition", "start_date", "end_date", "status", "created_at",
                "id_data_purged_at", "registration_opens", "registration_closes"}
SESSION_FIELDS = ("start_time", "end_time", "title", "kind", "room", "description", "position", "translations")
VISIT_FIELDS = ("title", "description", "start_time", "end_time", "meeting_point", "transport", "capacity",
                "requires_id", "translations")


def _shift(value: date | datetime | None, days: timedelta):
    return value + days if value is not None else None


def next_edition_defaults(meeting: Meeting) -> dict:
    """What the copy form suggests: the same title and place a year on, same weekday (52 weeks later)."""
    start = meeting.start_date + timedelta(weeks=52)
    slug = re.sub(r"\d{4}", lambda m: str(int(m.group()) + 1), meeting.slug)
    if slug == meeting.slug:
        slug = f"{meeting.slug}-{start.year}"[:80]
    title = re.sub(r"\b(19|20)\d{2}\b", lambda m: str(int(m.group()) + 1), meeting.title)
    return {"title": title, "slug": slug, "start_date": start}


def copy_meeting(meeting: Meeting, title: str, slug: str, start_date: date, by: User | None = None) -> Meeting:
    """A new draft edition of `meeting` starting on `start_date`; both join the same series."""
    days = start_date - meeting.start_date
    settings = {attribute.key: copy.deepcopy(getattr(meeting, attribute.key))
                for attribute in inspect(Meeting).column_attrs
                if attribute.key not in EDITION_ONLY and not attribute.key.endswith("_id")}
    new = Meeting(**settings)
    new.title, new.slug, new.start_date = title.strip(), slug, start_date
    new.end_date = meeting.end_date + days
    new.edition = meeting.edition + 1 if meeting.edition else None
    new.status = MeetingStatus.draft
    new.registration_opens = _shift(meeting.registration_opens, days)
    new.registration_closes = _shift(meeting.registration_closes, days)
    meeting.series = meeting.series or meeting.title  # the first copy names the series after its first edition
    new.series = meeting.series
    db.session.add(new)

    for session in meeting.sessions:
        new.sessions.append(ProgrammeSession(
            day=session.day + days, **{name: copy.deepcopy(getattr(session, name)) for name in SESSION_FIELDS},
            speakers=[Speaker(name=s.name, organisation=s.organisation, country=s.country, position=s.position)
                      for s in session.speakers],
        ))
    for visit in meeting.visits:
        new.visits.append(FieldVisit(
            day=visit.day + days, id_deadline=_shift(visit.id_deadline, days),
            **{name: copy.deepcopy(getattr(visit, name)) for name in VISIT_FIELDS},
        ))
    hosts = {role.user_id for role in meeting.roles}
    for role in meeting.roles:
        new.roles.append(MeetingRole(user_id=role.user_id, role=role.role))
    if by is not None and not by.is_organiser and by.id not in hosts:
        new.roles.append(MeetingRole(user_id=by.id, role="host"))
    db.session.flush()
    audit.record(meeting, "meeting.copied", by, subject=new, details={"into": new.slug, "days": days.days})
    audit.record(new, "meeting.copied_from", by, subject=meeting, details={"from": meeting.slug, "days": days.days})
    return new
