"""Accounts: organisers (global) and hosts (a role on given meetings)."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portmeet.accounts.passwords import hash_password, verify_password
from portmeet.extensions import db
from portmeet.timeutil import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_organiser: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every session carries the version it was signed in under; bumping it (sign-out, password change,
    # deactivation) ends every session of the account at its next request.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    roles: Mapped[list[MeetingRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in an inactive account
        return bool(self.active)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class MeetingRole(db.Model):
    """An account that hosts a meeting."""

    __tablename__ = "meeting_roles"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="host")

    user: Mapped[User] = relationship(back_populates="roles")
    meeting: Mapped["Meeting"] = relationship(back_populates="roles")  # noqa: F821


def normalize_email(email: str) -> str:
    return email.strip().lower()


class PasswordReset(db.Model):
    """A password-reset link: only its hash is kept; it works once, for PASSWORD_RESET_HOURS."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
