"""A meeting's letterhead: who invites and signs the visa letters and certificates of attendance."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.timeutil import utcnow


class Letterhead(db.Model):
    """One per meeting; images are re-encoded PNGs stored under PORTMEET_UPLOAD_DIR by a random name."""

    __tablename__ = "letterheads"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    logo_file: Mapped[str | None] = mapped_column(String(80))
    signature_file: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship(backref=backref("letterhead", uselist=False, cascade="all, delete-orphan"))

    @property
    def is_complete(self) -> bool:
        """Enough to sign a letter: who invites, from where, and who signs."""
        return bool(self.organisation and self.address and self.signatory_name)
