"""After the meeting: one e-mail to every confirmed delegate, the day after the last day, with the link
to their certificate (if checked in) and to the presentations. A job of `flask send-reminders`."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from portmeet.extensions import db
from portmeet.letters.certificates import certificate_available
from portmeet.meetings.models import Meeting, MeetingStatus
from portmeet.meetings.slides import presentations
from portmeet.registration import mail
from portmeet.registration.models import Registration, RegistrationStatus
from portmeet.timeutil import to_zone, utcnow
from portmeet.urls import external_url

# The day after the end; a few more days in case cron was down then (each delegate still gets it once).
DAYS_AFTER = range(1, 8)


def send_post_meeting_mail(now: datetime) -> int:
    sent = 0
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.status.in_((MeetingStatus.published, MeetingStatus.closed, MeetingStatus.archived)),
        Meeting.end_date >= now.date() - timedelta(days=max(DAYS_AFTER) + 1),
        Meeting.end_date <= now.date(),
    ).order_by(Meeting.id)).all()
    for meeting in meetings:
        if (to_zone(now, meeting.timezone).date() - meeting.end_date).days not in DAYS_AFTER:
            continue
        has_presentations = bool(presentations(meeting))
        ids = db.session.scalars(select(Registration.id).where(
            Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.confirmed,
            Registration.post_meeting_mail_at.is_(None),
        ).order_by(Registration.id)).all()
        for registration_id in ids:
            if _claim(registration_id):
                _queue(db.session.get(Registration, registration_id), has_presentations)
                sent += 1
    db.session.flush()
    return sent


def _claim(registration_id: int) -> bool:
    """Mark the delegate's mail as sent, unless another run did it first (one UPDATE: atomic on both
    databases, so two runs at once still send it once)."""
    result = db.session.execute(update(Registration).where(
        Registration.id == registration_id, Registration.post_meeting_mail_at.is_(None),
    ).values(post_meeting_mail_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _queue(registration: Registration, has_presentations: bool) -> None:
    meeting = registration.meeting
    certificate = certificate_available(registration, to_zone(utcnow(), meeting.timezone).date())
    with force_locale(registration.language or meeting.language):
        subject = _("thank you for coming") if certificate else _("presentations and follow-up")
        body = render_template(
            "letters/mail/post_meeting.txt", registration=registration, meeting=meeting, certificate=certificate,
            presentations_url=external_url("meetings.detail", slug=meeting.slug) + "#presentations"
            if has_presentations else None,
            meeting_url=external_url("meetings.detail", slug=meeting.slug),
            resend_url=external_url("registration.resend_link", slug=meeting.slug),
            certificate_url=mail.private_url(registration, "letters.certificate") if certificate else None,
        )
        mail.queue(registration.email, _("%(meeting)s: %(subject)s", meeting=meeting.title, subject=subject), body)
