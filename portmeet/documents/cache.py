"""Rendered documents kept in the database, shared by every worker and server.

A document's key is the hash of everything it is made from: the programme's print HTML (rendering the
HTML takes milliseconds, the PDF seconds), or for badges and attendee lists the printed fields of their
rows (documents/service.py, *_fingerprint: writing a thousand badges' HTML would already take too long
for a cached answer), always with the code and templates that print them. Any change to what the
document shows (a session, a name, the language, a template) changes the key: nothing to invalidate by
hand, and never a stale PDF. The PDF is rendered outside any database transaction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import weasyprint

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from portmeet.extensions import db
from portmeet.timeutil import utcnow

KEPT_PER_DOCUMENT = 4  # older versions of a meeting's document are dropped when a new one is stored
ROOT = Path(__file__).resolve().parents[2]


class CachedDocument(db.Model):
    __tablename__ = "document_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = mapped_column(LargeBinary)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code, templates, translations and print styles of this installation (and of the PDF
    engine's version), read once per process: a new release never serves a document printed by the old one."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for folder, patterns in (("portmeet", ("*.py", "*.po")), ("templates", ("*.html",)), ("static/css", ("*.css",)),
                             ("static/img", ("*.svg",))):
        for pattern in patterns:
            for path in sorted((ROOT / folder).rglob(pattern)):
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(document: str, material: str) -> str:
    return hashlib.sha256(f"{code_version()}\n{document}\n{material}".encode()).hexdigest()


def cached_or_render(meeting_id: int, document: str, material: str, render: Callable[[], bytes],
                     keep: int = KEPT_PER_DOCUMENT) -> bytes:
    """The PDF made from `material` (its HTML, or the fingerprint of its rows): from the cache, or rendered
    by `render()` and stored, keeping the `keep` latest versions of that document of the meeting (one for
    documents with personal data: a name taken off a list leaves no copy behind)."""
    from portmeet.dbtx import writing

    key = cache_key(document, material)
    content = db.session.scalar(select(CachedDocument.content).where(CachedDocument.key == key))
    if content is not None:
        return content
    db.session.commit()  # no transaction stays open (nor any lock held) while WeasyPrint works
    content = render()
    writing()
    db.session.add(CachedDocument(key=key, meeting_id=meeting_id, document=document, created_at=utcnow(),
                                  content=content))
    try:
        db.session.flush()
    except IntegrityError:  # another worker stored the same document a moment ago
        db.session.rollback()
        return content
    latest = select(CachedDocument.key).where(CachedDocument.meeting_id == meeting_id,
                                              CachedDocument.document == document) \
        .order_by(CachedDocument.created_at.desc()).limit(keep)
    db.session.execute(delete(CachedDocument).where(CachedDocument.meeting_id == meeting_id,
                                                    CachedDocument.document == document,
                                                    CachedDocument.key.not_in(latest.scalar_subquery())))
    db.session.commit()
    return content
