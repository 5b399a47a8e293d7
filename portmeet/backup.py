"""Backup and restore of one meeting as JSON: meeting, programme, visits, registration questions,
registrations with their bookings, sign-ups and answers."""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, Numeric, Time, inspect, select
from sqlalchemy.orm import Session

from portmeet.accounts.models import MeetingRole, User
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession, Speaker
from portmeet.questions.models import Answer, Question
from portmeet.registration.models import Companion, Registration, RegistrationLink, SessionSignup, VisitBooking
from portmeet.timeutil import utcnow

FORMAT = "portmeet-meeting-backup"
VERSION = 1
# Database keys are not part of a dump: rows are nested under their parent, and a booking names its
# visit by the visit's place in the dump's list, so a restore may give everything new ids.
SKIPPED_COLUMNS = {"id", "meeting_id", "session_id", "registration_id", "visit_id", "question_id", "companion_id"}


class BackupError(ValueError):
    pass


def _encode(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(model) -> list:
    return [attr for attr in inspect(model).column_attrs if attr.key not in SKIPPED_COLUMNS]


def _row(obj) -> dict:
    """Every column of the row (new columns included, whoever adds them), in JSON types."""
    return {attr.key: _encode(getattr(obj, attr.key)) for attr in _columns(type(obj))}


def _decode(column_type, value):
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Time):
        return time.fromisoformat(value)
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class(value)
    if isinstance(column_type, Numeric):
        return Decimal(value)
    return value


def _build(model, data: dict, **extra):
    """A new row from its dumped columns; columns the dump lacks keep their defaults."""
    values = {attr.key: _decode(attr.columns[0].type, data[attr.key])
              for attr in _columns(model) if attr.key in data}
    return model(**values, **extra)


# Left out of a dump unless asked: ID-document data (any id_* column too) and private-link hashes.
ID_COLUMNS = {"nationality", "id_number", "date_of_birth"}
LINK_COLUMNS = {"token_hash"}


def _private(key: str, with_id_data: bool, with_links: bool) -> bool:
    return (not with_id_data and (key in ID_COLUMNS or key.startswith("id_"))) or \
        (not with_links and key in LINK_COLUMNS)


def dump_meeting(slug: str, *, with_id_data: bool = False, with_links: bool = False) -> dict:
    """The meeting and everything that hangs on it, read in one transaction so that it is consistent
    (REPEATABLE READ on PostgreSQL; SQLite's transaction is a snapshot already)."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind=connection) as session, session.begin():
            meeting = session.scalar(select(Meeting).where(Meeting.slug == slug))
            if meeting is None:
                raise BackupError(f"No meeting has the address name “{slug}”.")
            return _dump(session, meeting, with_id_data, with_links)


def _registration_row(registration: Registration, with_id_data: bool, with_links: bool) -> dict:
    row = {key: value for key, value in _row(registration).items() if not _private(key, with_id_data, with_links)}
    if with_links:
        row["links"] = [{"token_hash": link.token_hash, "created_at": _encode(link.created_at)}
                        for link in registration.links if link.revoked_at is None]
    return row


def _dump(session: Session, meeting: Meeting, with_id_data: bool = False, with_links: bool = False) -> dict:
    # Ties (two workshops in parallel) are broken by id, so that a restored copy dumps identically.
    sessions = sorted(meeting.sessions, key=lambda s: (s.day, s.start_time, s.position, s.id))
    visits = sorted(meeting.visits, key=lambda v: (v.day, v.start_time, v.id))
    visit_index = {visit.id: n for n, visit in enumerate(visits)}
    session_index = {item.id: n for n, item in enumerate(sessions)}
    registrations = session.scalars(
        select(Registration).where(Registration.meeting_id == meeting.id).order_by(Registration.created_at, Registration.id)
    ).all()
    questions = session.scalars(
        select(Question).where(Question.meeting_id == meeting.id).order_by(Question.position, Question.id)
    ).all()
    question_index = {question.id: n for n, question in enumerate(questions)}
    answers: dict[int, list[dict]] = {}
    for answer in session.scalars(select(Answer).where(Answer.question_id.in_(question_index)).order_by(Answer.id)):
        answers.setdefault(answer.registration_id, []).append(
            {"question": question_index[answer.question_id], **_row(answer)})
    hosts = session.scalars(
        select(User.email).join(MeetingRole).where(MeetingRole.meeting_id == meeting.id).order_by(User.email)
    ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "dumped_at": utcnow().isoformat(timespec="seconds"),
        "meeting": _row(meeting),
        "hosts": list(hosts),
        "sessions": [
            {**_row(item), "speakers": [_row(speaker) for speaker in item.speakers]} for item in sessions
        ],
        "visits": [_row(visit) for visit in visits],
        "questions": [{**_row(question), "visit": visit_index.get(question.visit_id)} for question in questions],
        "registrations": [
            {**_registration_row(registration, with_id_data, with_links),
             "bookings": [{"visit": visit_index[booking.visit_id], **_row(booking)} for booking in registration.bookings],
             "signups": [{"session": session_index[signup.session_id], **_row(signup)}
                         for signup in registration.signups],
             "companions": [
                 {**{key: value for key, value in _row(companion).items() if not _private(key, with_id_data, False)},
                  "bookings": [{"visit": visit_index[booking.visit_id], **_row(booking)} for booking in companion.bookings],
                  "signups": [{"session": session_index[signup.session_id], **_row(signup)}
                              for signup in companion.signups]}
                 for companion in registration.companions],
             "answers": sorted(answers.get(registration.id, []), key=lambda a: (a["question"], a["value"]))}
            for registration in registrations
        ],
    }


def _indexed(rows: list, index, what: str, kind: str):
    """The row a dumped item names by its place in the dump's list (e.g. a booking's visit)."""
    if not isinstance(index, int) or not 0 <= index < len(rows):
        raise BackupError(f"{what} names {kind} {index!r}, which is not in the backup.")
    return rows[index]


def without_timestamp(dump: dict) -> dict:
    """The dump minus the moment it was taken: what two dumps of the same data share."""
    return {key: value for key, value in dump.items() if key != "dumped_at"}


def restore_meeting(data: dict) -> tuple[Meeting, list[str]]:
    """Recreate a dumped meeting (the caller commits). Returns it and the host e-mails with no account here."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("This file is not a portmeet meeting backup.")
    if data.get("version") != VERSION:
        raise BackupError(f"This backup has version {data.get('version')}; this portmeet reads version {VERSION}.")
    try:
        slug = data["meeting"]["slug"]
        if db.session.scalar(select(Meeting.id).where(Meeting.slug == slug)) is not None:
            raise BackupError(f"A meeting with the address name “{slug}” already exists; restore into an empty database.")
        meeting = _build(Meeting, data["meeting"])
        sessions = []
        for item in data["sessions"]:
            session = _build(ProgrammeSession, item)
            session.speakers = [_build(Speaker, speaker) for speaker in item["speakers"]]
            meeting.sessions.append(session)
            sessions.append(session)
        visits = [_build(FieldVisit, item) for item in data["visits"]]
        meeting.visits.extend(visits)
        db.session.add(meeting)
        # Dumps written before registration questions existed have none.
        questions = [
            _build(Question, item, meeting=meeting,
                   visit=None if item.get("visit") is None else _indexed(visits, item["visit"], "A question", "visit"))
            for item in data.get("questions", [])
        ]
        db.session.add_all(questions)
        for item in data["registrations"]:
            registration = _build(Registration, item, meeting=meeting)
            registration.links = [RegistrationLink(token_hash=link["token_hash"],
                                                   created_at=datetime.fromisoformat(link["created_at"]))
                                  for link in item.get("links", [])]
            registration.bookings = [
                _build(VisitBooking, booking, visit=_indexed(visits, booking["visit"], "A booking", "visit"))
                for booking in item["bookings"]
            ]
            # Dumps written before sign-ups existed have none.
            registration.signups = [
                _build(SessionSignup, signup, session=_indexed(sessions, signup["session"], "A sign-up", "session"))
                for signup in item.get("signups", [])
            ]
            # Dumps written before accompanying persons existed have none.
            for person in item.get("companions", []):
                companion = _build(Companion, person)
                registration.companions.append(companion)
                # Their rows name the delegate too (set through the relationship: neither row has an id yet).
                companion.bookings = [
                    _build(VisitBooking, booking, registration=registration,
                           visit=_indexed(visits, booking["visit"], "A booking", "visit"))
                    for booking in person["bookings"]]
                companion.signups = [
                    _build(SessionSignup, signup, registration=registration,
                           session=_indexed(sessions, signup["session"], "A sign-up", "session"))
                    for signup in person.get("signups", [])]
            db.session.add_all(_build(Answer, answer, registration=registration,
                                      question=_indexed(questions, answer["question"], "An answer", "question"))
                               for answer in item.get("answers", []))
            db.session.add(registration)
        missing = []
        for email in data["hosts"]:
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                missing.append(email)
            else:
                meeting.roles.append(MeetingRole(user=user, role="host"))
        db.session.flush()
    except (KeyError, IndexError, TypeError, ValueError) as error:
        if isinstance(error, BackupError):
            raise
        raise BackupError(f"The backup file is incomplete or damaged ({error.__class__.__name__}: {error}).") from None
    return meeting, missing
