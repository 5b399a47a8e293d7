"""Writing and reading the audit trail (see the package docstring for how to call `record`)."""
from __future__ import annotations

from flask import has_request_context
from sqlalchemy import select

from portmeet.audit.models import AuditEntry
from portmeet.extensions import db
from portmeet.timeutil import utcnow

DELEGATE = "delegate"
DESK = "desk"
SYSTEM = "system"
_ACTOR_KINDS = (DELEGATE, DESK, SYSTEM)
# Never written to the trail, whatever a caller passes: the trail is read by every host of the meeting.
_SECRET_WORDS = ("id_number", "nationality", "date_of_birth", "token", "password", "secret", "id_expiry")
PAGE_SIZE = 50


def _is_secret(key: str) -> bool:
    key = str(key).lower()
    return any(word in key for word in _SECRET_WORDS)


def _clean(details) -> dict:
    if not details:
        return {}
    cleaned = {}
    for key, value in details.items():
        if _is_secret(key):
            continue
        if isinstance(value, dict):
            value = _clean(value)
        elif isinstance(value, (list, tuple, set)):
            value = [str(item) if not isinstance(item, (int, float, bool)) else item for item in value]
        elif not isinstance(value, (int, float, bool, type(None))):
            value = str(value)[:500]
        cleaned[str(key)] = value
    return cleaned


def _subject_label(subject) -> str:
    for name in ("full_name", "title", "name", "email", "slug"):
        value = getattr(subject, name, None)
        if isinstance(value, str) and value:
            return value[:200]
    return ""


def _current_account():
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if current_user and current_user.is_authenticated else None


def record(meeting, kind: str, actor=None, *, subject=None, details: dict | None = None) -> AuditEntry:
    """Add one entry (the caller commits, with the change it describes). See the package docstring."""
    from portmeet.dbtx import writing

    writing()  # an export logged by a GET: take SQLite's write lock from the start of the transaction
    entry = AuditEntry(kind=kind[:60], created_at=utcnow(), details=_clean(details),
                       meeting_id=getattr(meeting, "id", meeting))
    if actor is None:
        actor = _current_account() or SYSTEM
    if isinstance(actor, str):
        entry.actor_kind = actor if actor in _ACTOR_KINDS else SYSTEM
        entry.actor_name = ""
    else:
        entry.actor_kind = "account"
        entry.actor_user_id = actor.id
        entry.actor_name = actor.email
    if subject is not None:
        entry.subject_type = getattr(subject, "__tablename__", type(subject).__name__.lower())[:40]
        entry.subject_id = getattr(subject, "id", None)
        entry.subject_label = _subject_label(subject)
    db.session.add(entry)
    return entry


def history_of(subject, limit: int = 200) -> list[AuditEntry]:
    """The entries about one subject (e.g. a registration), newest first."""
    if getattr(subject, "id", None) is None:
        return []
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == subject.__tablename__, AuditEntry.subject_id == subject.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    ))


def activity_page(meeting, kind: str = "", page: int = 1):
    """One page of the meeting's trail, newest first, optionally of one kind (or kind family: "export")."""
    query = select(AuditEntry).where(AuditEntry.meeting_id == meeting.id)
    if kind:
        query = query.where((AuditEntry.kind == kind) | AuditEntry.kind.startswith(kind + "."))
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def kinds_used(meeting) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.kind).where(AuditEntry.meeting_id == meeting.id).distinct().order_by(AuditEntry.kind)
    ))
