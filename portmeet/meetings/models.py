"""Meetings, their programme sessions, speakers and field visits."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, Enum, ForeignKey, String, Text, Time
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portmeet.extensions import db
from portmeet.timeutil import local_now, utcnow


def str_enum(enum_class: type[enum.Enum]) -> Enum:
    """A portable enum column: a VARCHAR holding the member's value."""
    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class MeetingStatus(str, enum.Enum):
    draft = "draft"
    published = "published"
    closed = "closed"
    archived = "archived"


PUBLIC_STATUSES = (MeetingStatus.published, MeetingStatus.closed, MeetingStatus.archived)


class SessionKind(str, enum.Enum):
    plenary = "plenary"
    workshop = "workshop"
    debate = "debate"
    break_ = "break"
    meal = "meal"
    social = "social"


class Transport(str, enum.Enum):
    walk = "walk"
    bus = "bus"
    boat = "boat"
    other = "other"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    edition: Mapped[int | None]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    venue: Mapped[str] = mapped_column(String(200), default="")
    # Optional coordinates (WGS 84) of the venue and of each visit's meeting point, for a map link.
    venue_latitude: Mapped[float | None]
    venue_longitude: Mapped[float | None]
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    host_organisation: Mapped[str] = mapped_column(String(200), default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Wall-clock times in the meeting's time zone.
    registration_opens: Mapped[datetime | None]
    registration_closes: Mapped[datetime | None]
    capacity: Mapped[int] = mapped_column(default=80)
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus), default=MeetingStatus.draft)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # The name the editions of one series share (Citizen Port Meetings); the home page groups them by it.
    series: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Title and description in other languages: {"fr": {"title": …, "description": …}, …} (meetings/content.py).
    translations: Mapped[dict | None] = mapped_column(JSON)
    id_data_purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped in the same transaction as any change of the meeting, its visits, sessions or questions
    # (meetings/versions.py): pages kept rendered from them (registration/form_page.py) are keyed by it.
    content_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # The programme; a meal or social event cancelled by its hosts (kept for its sign-ups) is left out.
    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        primaryjoin="and_(Meeting.id == ProgrammeSession.meeting_id, ProgrammeSession.cancelled_at.is_(None))",
        order_by="(ProgrammeSession.day, ProgrammeSession.start_time, ProgrammeSession.position)",
    )
    # The visits on offer; a visit cancelled by its hosts (kept for its delegates' pages) is left out.
    visits: Mapped[list[FieldVisit]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        primaryjoin="and_(Meeting.id == FieldVisit.meeting_id, FieldVisit.cancelled_at.is_(None))",
        order_by="(FieldVisit.day, FieldVisit.start_time, FieldVisit.id)",
    )
    roles: Mapped[list["MeetingRole"]] = relationship(  # noqa: F821
        back_populates="meeting", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def days(self) -> list[date]:
        from datetime import timedelta

        return [self.start_date + timedelta(days=n) for n in range((self.end_date - self.start_date).days + 1)]

    @property
    def content_key(self) -> tuple:
        """What a per-process cache of things made from this meeting's content is keyed by: its id, its creation
        time (tells apart a later meeting given the same id: SQLite reuses the highest) and its content version."""
        return (self.id, self.created_at, self.content_version)

    def local_now(self) -> datetime:
        return local_now(self.timezone)

    def registration_state(self, now: datetime | None = None) -> str:
        """'open', 'not_published', 'not_yet_open' or 'closed' (meeting-local time)."""
        now = now or self.local_now()
        if self.status != MeetingStatus.published:
            return "closed" if self.status in PUBLIC_STATUSES else "not_published"
        if self.registration_opens and now < self.registration_opens:
            return "not_yet_open"
        closes = self.registration_closes or datetime.combine(self.end_date, time.max)
        if now > closes:
            return "closed"
        return "open"

    def __repr__(self) -> str:
        return f"<Meeting {self.slug}>"


# The kinds of session that may take sign-ups with places (a lunch, the social dinner).
SIGN_UP_KINDS = (SessionKind.meal, SessionKind.social)


class ProgrammeSession(db.Model):
    """A programme item: a talk, a debate, a break, a meal…"""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="end_after_start"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind), default=SessionKind.plenary)
    room: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Presentations: an uploaded PDF (stored under PORTMEET_UPLOAD_DIR by a random name) or a link.
    slides_file: Mapped[str | None] = mapped_column(String(80))
    slides_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    slides_size: Mapped[int] = mapped_column(default=0, server_default="0")
    slides_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    slides_public: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    translations: Mapped[dict | None] = mapped_column(JSON)
    # Places of a meal or social event that takes sign-ups; None: no sign-up, every confirmed delegate attends.
    capacity: Mapped[int | None]
    # Set when the hosts delete a session that had sign-ups: it leaves the programme and the counts, but
    # stays on its delegates' pages as cancelled (as a field visit does).
    cancelled_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="sessions")
    # Loaded with their sessions in one query: every page that shows a session shows its speakers.
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Speaker.position", lazy="selectin"
    )

    @property
    def has_slides(self) -> bool:
        return bool(self.slides_file or self.slides_url)

    @property
    def takes_sign_ups(self) -> bool:
        return self.capacity is not None and self.kind in SIGN_UP_KINDS


class Speaker(db.Model):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[ProgrammeSession] = relationship(back_populates="speakers")


class FieldVisit(db.Model):
    """A site visit with limited places: port tour, port centre, museum, laboratory."""

    __tablename__ = "field_visits"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("end_time > start_time", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    transport: Mapped[Transport] = mapped_column(str_enum(Transport), default=Transport.walk)
    capacity: Mapped[int] = mapped_column(default=20)
    requires_id: Mapped[bool] = mapped_column(default=False)
    id_deadline: Mapped[date | None] = mapped_column(Date)
    translations: Mapped[dict | None] = mapped_column(JSON)
    # Set when the hosts delete a visit that had bookings: it then leaves the programme, the counts and
    # the manifests, but stays on its delegates' pages as cancelled.
    cancelled_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="visits")

    def overlaps(self, other: FieldVisit) -> bool:
        return self.day == other.day and self.start_time < other.end_time and other.start_time < self.end_time
