"""Rendered public documents kept in the database, shared by every worker and server.

A document's key is the hash of its print HTML: rendering the HTML takes milliseconds, the PDF seconds.
Any change to what the document shows (a session, a speaker, a visit's places left, the language)
changes the HTML and so the key: nothing to invalidate by hand, and never a stale PDF. The PDF is
rendered outside any database transaction.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from portmeet.extensions import db
from portmeet.timeutil import utcnow

KEPT_PER_DOCUMENT = 4  # older versions of a meeting's document are dropped when a new one is stored


class CachedDocument(db.Model):
    __tablename__ = "document_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = mapped_column(LargeBinary)


def cache_key(document: str, html: str) -> str:
    return hashlib.sha256(f"{document}\n{html}".encode()).hexdigest()


def cached_or_render(meeting_id: int, document: str, html: str, render) -> bytes:
    """The PDF of this HTML: from the cache, or rendered by `render(html)` and stored."""
    from portmeet.dbtx import writing

    key = cache_key(document, html)
    content = db.session.scalar(select(CachedDocument.content).where(CachedDocument.key == key))
    if content is not None:
        return content
    db.session.commit()  # no transaction stays open (nor any lock held) while WeasyPrint works
    content = render(html)
    writing()
    db.session.add(CachedDocument(key=key, meeting_id=meeting_id, document=document, created_at=utcnow(),
                                  content=content))
    try:
        db.session.flush()
    except IntegrityError:  # another worker stored the same document a moment ago
        db.session.rollback()
        return content
    keep = select(CachedDocument.key).where(CachedDocument.meeting_id == meeting_id,
                                            CachedDocument.document == document) \
        .order_by(CachedDocument.created_at.desc()).limit(KEPT_PER_DOCUMENT)
    db.session.execute(delete(CachedDocument).where(CachedDocument.meeting_id == meeting_id,
                                                    CachedDocument.document == document,
                                                    CachedDocument.key.not_in(keep.scalar_subquery())))
    db.session.commit()
    return content
