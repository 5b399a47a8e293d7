"""A message written to a group of delegates, and who it went to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portmeet.extensions import db
from portmeet.timeutil import utcnow


class Message(db.Model):
    __tablename__ = "messages"
    # The key the preview page hands to its "Send" button: a second click (or a resent form) finds the
    # message already there instead of sending it twice.
    __table_args__ = (UniqueConstraint("meeting_id", "send_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Other languages' versions: {"fr": {"subject": …, "body": …}}; delegates of other languages get the main text.
    versions: Mapped[dict] = mapped_column(JSON, default=dict)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    send_key: Mapped[str] = mapped_column(String(64))
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipients: Mapped[list[MessageRecipient]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageRecipient.id"
    )


class MessageRecipient(db.Model):
    __tablename__ = "message_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(201))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))

    message: Mapped[Message] = relationship(back_populates="recipients")
