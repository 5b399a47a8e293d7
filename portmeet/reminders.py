"""Scheduled jobs run by `flask --app wsgi send-reminders` (from cron, e.g. hourly).

Each job is a function of the current time (naive UTC) that does its work and returns how many things it
did. The command runs every job of `JOBS` in turn and commits after each, so one failing job never stops
the others. Every job is idempotent: running the command again at once changes nothing.

To add a job, write `def my_job(now: datetime) -> int` and append `Job("my job", my_job)` to JOBS.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from portmeet.meetings.models import Meeting


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]


def local_today(meeting: Meeting, now: datetime) -> date:
    """The meeting's own date at `now` (naive UTC): jobs follow its calendar, not the server's."""
    return now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(meeting.timezone)).date()


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
    Job("post-meeting mail (certificates, presentations)", _post_meeting_mail),
    Job("ID data purge (registrations)", _purge_expired_id_data),
]
