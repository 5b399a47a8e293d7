"""Registrations of delegates, their field-visit bookings, and the queued e-mail."""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portmeet.dietary import DietaryNeeds
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession, str_enum
from portmeet.timeutil import utcnow


class Category(str, enum.Enum):
    delegate = "delegate"
    speaker = "speaker"
    host = "host"
    organiser = "organiser"
    press = "press"
    accompanying = "accompanying"


class RegistrationStatus(str, enum.Enum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class IdType(str, enum.Enum):
    passport = "passport"
    id_card = "id_card"


class VisaLetterStatus(str, enum.Enum):
    requested = "requested"
    approved = "approved"
    declined = "declined"


class BookingStatus(str, enum.Enum):
    booked = "booked"
    waitlisted = "waitlisted"
    cancelled = "cancelled"  # the visit was cancelled by its hosts; kept to show the delegate


def new_token() -> str:
    """A manage-link token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    # Only the hash is stored, so a leaked database does not leak working links.
    return hashlib.sha256(token.encode()).hexdigest()


class Registration(DietaryNeeds, db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "email_normalized"),
        Index("ix_registrations_meeting_status", "meeting_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    badge_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[Category] = mapped_column(str_enum(Category), default=Category.delegate)
    # dietary needs: `diets` and `dietary` (DietaryNeeds)
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    consent_list: Mapped[bool] = mapped_column(default=False)
    # The language the delegate registered in: every e-mail to them is written in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus), default=RegistrationStatus.confirmed
    )
    # The hash of the latest private link issued; the links that open the delegate's pages are the
    # `links` (registration_links), several at once, each revocable.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # ID-document data for port security; asked only when a picked visit needs it.
    nationality: Mapped[str | None] = mapped_column(String(2))
    id_number: Mapped[str | None] = mapped_column(String(50))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # The rest of the document's data, asked with the above for a visa invitation letter (same protection, same purge).
    id_type: Mapped[IdType | None] = mapped_column(str_enum(IdType))
    id_expiry: Mapped[date | None] = mapped_column(Date)
    id_name: Mapped[str | None] = mapped_column(String(200))  # the name exactly as printed in the document
    needs_visa_letter: Mapped[bool] = mapped_column(default=False, server_default=false())
    visa_letter: Mapped[VisaLetterStatus | None] = mapped_column(str_enum(VisaLetterStatus))
    visa_letter_decided_at: Mapped[datetime | None]
    post_meeting_mail_at: Mapped[datetime | None]  # the thank-you with certificate and presentations, sent once
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    # The delegate's own picks that stand (booked or waiting); picks of a visit the hosts cancelled are
    # apart. Their accompanying persons' picks are the companions' `bookings`.
    bookings: Mapped[list[VisitBooking]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="VisitBooking.id",
        primaryjoin="and_(Registration.id == VisitBooking.registration_id, VisitBooking.companion_id.is_(None), "
                    "VisitBooking.status != 'cancelled')",
    )
    cancelled_bookings: Mapped[list[VisitBooking]] = relationship(
        viewonly=True, order_by="VisitBooking.id",
        primaryjoin="and_(Registration.id == VisitBooking.registration_id, VisitBooking.companion_id.is_(None), "
                    "VisitBooking.status == 'cancelled')",
    )
    companions: Mapped[list[Companion]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Companion.id",
    )
    # Sign-ups for meals and social events with places, kept like `bookings` (booked or waiting; those of
    # an event the hosts cancelled apart).
    signups: Mapped[list[SessionSignup]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="SessionSignup.id",
        primaryjoin="and_(Registration.id == SessionSignup.registration_id, SessionSignup.companion_id.is_(None), "
                    "SessionSignup.status != 'cancelled')",
    )
    cancelled_signups: Mapped[list[SessionSignup]] = relationship(
        viewonly=True, order_by="SessionSignup.id",
        primaryjoin="and_(Registration.id == SessionSignup.registration_id, SessionSignup.companion_id.is_(None), "
                    "SessionSignup.status == 'cancelled')",
    )
    links: Mapped[list[RegistrationLink]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationLink.id"
    )

    is_companion = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_badge_name(self) -> str:
        return self.badge_name or self.full_name

    @property
    def person_key(self) -> tuple[int, int | None]:
        """(registration id, companion id or None): one person on a visit, as a booking names them."""
        return self.id, None

    @property
    def delegate(self) -> Registration:
        """The registration this person belongs to (themself; a companion's delegate)."""
        return self

    @property
    def has_id_data(self) -> bool:
        return bool(self.id_number and self.nationality and self.date_of_birth)

    def set_new_token(self) -> str:
        """Issue one more private link (the others keep working); returns its token, shown or mailed once.
        Beyond MAX_LIVE_LINKS the oldest live one is revoked."""
        token = new_token()
        now = utcnow()
        self.token_hash = hash_token(token)
        self.links.append(RegistrationLink(token_hash=self.token_hash, created_at=now))
        live = [link for link in self.links if link.revoked_at is None]
        for link in live[:-MAX_LIVE_LINKS]:
            link.revoked_at = now
        return token


MAX_LIVE_LINKS = 10


class RegistrationLink(db.Model):
    """One private link of a registration: only its hash, when it was made, last used, revoked."""

    __tablename__ = "registration_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(back_populates="links")


class Companion(DietaryNeeds, db.Model):
    """A person accompanying a delegate (a spouse, a colleague) to the social events and field visits.
    Not a registration: no e-mail, no private link, no place at the meeting; the delegate manages them
    and receives the e-mails. Their picks wait while the delegate waits for a place at the meeting."""

    __tablename__ = "companions"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    # dietary needs: `diets` and `dietary` (DietaryNeeds)
    # ID-document data for port security, as the delegate's: asked only while a picked visit needs it,
    # shown only to the meeting's staff, erased with the delegate's (purge, cancellation, no such visit left).
    nationality: Mapped[str | None] = mapped_column(String(2))
    id_number: Mapped[str | None] = mapped_column(String(50))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="companions")
    # Their picks that stand (booked or waiting), as the delegate's `bookings`.
    bookings: Mapped[list[VisitBooking]] = relationship(
        back_populates="companion", cascade="all, delete-orphan", order_by="VisitBooking.id",
        primaryjoin="and_(Companion.id == VisitBooking.companion_id, VisitBooking.status != 'cancelled')",
    )
    signups: Mapped[list[SessionSignup]] = relationship(
        back_populates="companion", cascade="all, delete-orphan", order_by="SessionSignup.id",
        primaryjoin="and_(Companion.id == SessionSignup.companion_id, SessionSignup.status != 'cancelled')",
    )

    is_companion = True
    category = Category.accompanying
    # What lists print for a delegate and a companion has not: no organisation, phone or accessibility needs,
    # no e-mail, no document type or expiry (those are asked only for a visa letter).
    organisation = job_title = phone = accessibility = badge_name = email = ""
    id_type = id_expiry = None
    consent_list = False

    @property
    def has_id_data(self) -> bool:
        return bool(self.id_number and self.nationality and self.date_of_birth)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    display_badge_name = full_name

    @property
    def status(self) -> RegistrationStatus:
        return self.registration.status

    @property
    def person_key(self) -> tuple[int, int | None]:
        return self.registration_id, self.id

    @property
    def delegate(self) -> Registration:
        return self.registration


class VisitBooking(db.Model):
    """A pick of a field visit by a delegate, or by a person accompanying them (`companion_id`):
    booked, or waiting for a place."""

    __tablename__ = "visit_bookings"
    __table_args__ = (
        Index("ix_visit_bookings_visit_status", "visit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    # Set for an accompanying person's pick (registration_id is then their delegate's).
    companion_id: Mapped[int | None] = mapped_column(ForeignKey("companions.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visits.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.booked)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The roll call on the day of the visit: when the guide marked the delegate on board, and back ashore.
    boarded_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(back_populates="bookings")
    companion: Mapped[Companion | None] = relationship(back_populates="bookings")
    visit: Mapped[FieldVisit] = relationship()

    @property
    def person(self) -> Registration | Companion:
        """Who goes: the accompanying person, or the delegate."""
        return self.companion if self.companion_id is not None else self.registration

    @property
    def person_key(self) -> tuple[int, int | None]:
        return self.registration_id, self.companion_id


# One pick of a visit per person: the delegate (companion_id NULL, counted as 0, since NULLs are distinct in a
# unique index) and each of their accompanying persons.
Index("uq_visit_bookings_person_visit", VisitBooking.registration_id, func.coalesce(VisitBooking.companion_id, 0),
      VisitBooking.visit_id, unique=True)


class SessionSignup(db.Model):
    """A person's place at a meal or social event that takes sign-ups: booked, or waiting for a place.
    Counted and promoted by the same rules as a field-visit booking (registration.waitlist). The person is
    the delegate, or one accompanying them (`companion_id`), as for a `VisitBooking`."""

    __tablename__ = "session_signups"
    __table_args__ = (
        Index("ix_session_signups_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    companion_id: Mapped[int | None] = mapped_column(ForeignKey("companions.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.booked)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="signups")
    companion: Mapped[Companion | None] = relationship(back_populates="signups")
    session: Mapped[ProgrammeSession] = relationship()

    @property
    def person(self) -> Registration | Companion:
        return self.companion if self.companion_id is not None else self.registration


# One sign-up per person and session, as for visits.
Index("uq_session_signups_person_session", SessionSignup.registration_id,
      func.coalesce(SessionSignup.companion_id, 0), SessionSignup.session_id, unique=True)


class OutboxMessage(db.Model):
    """An e-mail queued in the same transaction as the change it reports; sent later by send-mail."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None]
    # A sender's claim on the message while it sends it (see outbox.send_outbox).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None]
    # A delegate's confirmation queued under the registration's locks, its text still to be written by the
    # sender (registration.mail.write_confirmations): the registration's id until then; never sent meanwhile.
    confirmation_for: Mapped[int | None]
    # What was decided for it (status, queue positions, the link's token), to write its text from; emptied then.
    decision: Mapped[dict | None] = mapped_column(JSON)


class SentReminder(db.Model):
    """A reminder sent to a delegate: one row per delegate, kind and subject (e.g. the visit whose
    ID-data deadline it recalls), so that `send-reminders` never sends the same one twice."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("registration_id", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40), default="", server_default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
