"""Scheduled jobs run by `flask --app wsgi send-reminders` (from cron, e.g. hourly): reminder e-mails.

Each job is a function of the current time that does its work and returns how many things it did.
The command runs every job of `JOBS` in turn and commits after each, so one failing job never stops
the others. Running it again at once changes nothing: every reminder to a delegate is first claimed
in `sent_reminders` (one row per delegate, kind and subject, unique in the database), in the same
transaction as its queued e-mail, so two runs at once still send it once.

To add a job, write `def my_job(now: datetime) -> int` and append `Job("my-job", my_job)` to JOBS.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus
from portmeet.registration import notices
from portmeet.registration.listing import id_data_missing
from portmeet.registration.models import BookingStatus, Registration, RegistrationStatus, SentReminder, VisitBooking
from portmeet.timeutil import to_zone, utcnow

ITINERARY_DAYS_BEFORE = 3
ID_DATA_DAYS_BEFORE = (7, 2)  # reminders before a visit's ID-data deadline, earliest first
ACTIVE_STATUSES = (MeetingStatus.published, MeetingStatus.closed)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]


def claim(registration: Registration, kind: str, subject: str = "") -> bool:
    """Record that this reminder goes to the delegate now; False if it was recorded before (by an
    earlier run, or a concurrent one: the insert then does nothing)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = db.session.scalar(
        dialect.insert(SentReminder)
        .values(registration_id=registration.id, kind=kind, subject=subject, sent_at=utcnow())
        .on_conflict_do_nothing()
        .returning(SentReminder.id)
    )
    return inserted is not None


def _active_meetings(now: datetime, first_day_from: int, first_day_to: int) -> list[Meeting]:
    """Published (or closed) meetings starting between these numbers of days from now (a day of
    margin either side: each meeting's own date is then checked in its own time zone)."""
    today = now.date()
    return list(db.session.scalars(select(Meeting).where(
        Meeting.status.in_(ACTIVE_STATUSES),
        Meeting.start_date >= today + timedelta(days=first_day_from - 1),
        Meeting.start_date <= today + timedelta(days=first_day_to + 1),
    )))


def send_itinerary_reminders(now: datetime) -> int:
    """The itinerary, to every confirmed delegate, from three days before the meeting's first day."""
    sent = 0
    for meeting in _active_meetings(now, 1, ITINERARY_DAYS_BEFORE):
        days_left = (meeting.start_date - to_zone(now, meeting.timezone).date()).days
        if not 1 <= days_left <= ITINERARY_DAYS_BEFORE:
            continue
        delegates = db.session.scalars(select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.confirmed,
        ).order_by(Registration.id))
        for registration in delegates:
            if claim(registration, "itinerary"):
                notices.queue_itinerary_reminder(registration)
                sent += 1
    db.session.flush()
    return sent


def send_id_data_reminders(now: datetime) -> int:
    """To delegates booked on a visit that needs ID data and who have not given it: a reminder seven
    days and one two days before the visit's deadline (only the later one when the first was missed)."""
    sent = 0
    latest = now.date() + timedelta(days=max(ID_DATA_DAYS_BEFORE) + 1)
    visits = db.session.scalars(
        select(FieldVisit).join(Meeting, Meeting.id == FieldVisit.meeting_id)
        .where(Meeting.status.in_(ACTIVE_STATUSES), FieldVisit.requires_id, FieldVisit.id_deadline.is_not(None),
               FieldVisit.id_deadline >= now.date() - timedelta(days=1), FieldVisit.id_deadline <= latest)
        .order_by(FieldVisit.id)
    ).all()
    for visit in visits:
        days_left = (visit.id_deadline - to_zone(now, visit.meeting.timezone).date()).days
        due = [days for days in ID_DATA_DAYS_BEFORE if 0 <= days_left <= days]
        if not due:
            continue
        kind = f"id-data-{min(due)}"
        delegates = db.session.scalars(
            select(Registration).join(VisitBooking, VisitBooking.registration_id == Registration.id)
            .where(VisitBooking.visit_id == visit.id, VisitBooking.status == BookingStatus.booked,
                   VisitBooking.companion_id.is_(None),
                   Registration.status == RegistrationStatus.confirmed, id_data_missing())
            .order_by(Registration.id)
        )
        for registration in delegates:
            if claim(registration, kind, str(visit.id)):
                notices.queue_id_data_reminder(registration, visit)
                sent += 1
    db.session.flush()
    return sent


def _post_meeting_mail(now: datetime) -> int:
    from portmeet.letters.post_meeting import send_post_meeting_mail

    return send_post_meeting_mail(now)


def _purge_expired_id_data(now: datetime) -> int:
    """Erase the ID data of every meeting whose last day is more than ID_DATA_RETENTION_DAYS ago; returns
    how many registrations held some."""
    from datetime import timedelta

    from flask import current_app
    from sqlalchemy import or_, select

    from portmeet.extensions import db
    from portmeet.registration.models import Registration
    from portmeet.registration.service import ID_FIELDS, purge_id_data

    cutoff = now.date() - timedelta(days=current_app.config["ID_DATA_RETENTION_DAYS"])
    holding = select(Registration.meeting_id).where(or_(*(getattr(Registration, name).is_not(None)
                                                          for name in ID_FIELDS)))
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.end_date < cutoff, or_(Meeting.id_data_purged_at.is_(None), Meeting.id.in_(holding)))).all()
    return sum(purge_id_data(meeting, force=True, automatic=True) for meeting in meetings)


JOBS: list[Job] = [
    Job("itinerary reminders", send_itinerary_reminders),
    Job("ID-data reminders", send_id_data_reminders),
    Job("post-meeting mail (certificates, presentations)", _post_meeting_mail),
    Job("ID data purge (registrations)", _purge_expired_id_data),
]
