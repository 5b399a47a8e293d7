"""One entry of the audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portmeet.extensions import db
from portmeet.timeutil import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_meeting_created", "meeting_id", "created_at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Entries outlive nothing they describe but the meeting: deleting a meeting deletes its trail.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(60))
    actor_kind: Mapped[str] = mapped_column(String(20))  # account, delegate, desk, system
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(254), default="")  # kept when the account goes
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]
    subject_label: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
