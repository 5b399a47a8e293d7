"""E-mail: messages queued in the outbox with the change they report, and the sender that delivers them.

A message is written to `outbox_messages` in the same transaction as the registration change, so it
exists exactly when the change does. The sender (`flask --app wsgi send-mail`, and after each request
when MAIL_SEND_AFTER_REQUEST is on) delivers over SMTP; a failure leaves the message queued with its
error and a later retry time, so a slow or stopped mail server never fails a registration nor loses mail.
"""
from __future__ import annotations

import functools
import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit
from portmeet.registration import waitlist
from portmeet.registration.models import OutboxMessage, Registration
from portmeet.timeutil import utcnow
from portmeet.urls import external_url  # noqa: F401 — links in e-mails come from PORTMEET_BASE_URL

logger = logging.getLogger("portmeet.mail")
logger.setLevel(logging.INFO)  # the development "mail server" is the log: it must show at INFO

BATCH_SIZE = 100
MAX_ATTEMPTS = 30
SMTP_TIMEOUT = 15  # seconds; a hung mail server must not hold a worker for long
_sending = threading.Lock()  # one sender at a time per process (the dev server is threaded)


# --- queueing ---------------------------------------------------------------------------------------

def queue(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject[:300], body=body, created_at=utcnow())
    db.session.add(message)
    if has_app_context():
        g.portmeet_mail_queued = True  # tells the after-request sender there is something to send
    return message


def _visit_lines(registration: Registration) -> list[tuple[FieldVisit, str, int | None]]:
    positions = waitlist.pick_positions(registration)
    return [(b.visit, b.status.value, positions.get(b.id)) for b in registration.bookings]


def _render(template: str, registration: Registration, **context) -> str:
    meeting = registration.meeting
    return render_template(
        f"registration/mail/{template}.txt",
        registration=registration,
        meeting=meeting,
        position=waitlist.registration_position(registration),
        visits=_visit_lines(registration),
        meeting_url=external_url("meetings.detail", slug=meeting.slug),
        resend_url=external_url("registration.resend_link", slug=meeting.slug),
        **context,
    )


def _subject(registration: Registration, text: str) -> str:
    # The colon is part of the translation: French wants a no-break space before it.
    return _("%(meeting)s: %(subject)s", meeting=registration.meeting.title, subject=text)


def _in_their_language(queue_message):
    """Write the message in the language the delegate registered in, whoever's request sends it
    (a promotion is triggered by someone else's cancellation, an update by an organiser)."""
    @functools.wraps(queue_message)
    def queue_in_language(registration: Registration, *args, **kwargs):
        with force_locale(registration.language or registration.meeting.language):
            return queue_message(registration, *args, **kwargs)
    return queue_in_language


def _calendar_link(token: str) -> str:
    return external_url("documents.itinerary_ics", token=token)


@_in_their_language
def queue_confirmation(registration: Registration, token: str) -> None:
    link = external_url("registration.show", token=token)
    subject = (_("your registration is confirmed") if registration.status.value == "confirmed"
               else _("you are on the waiting list"))
    queue(registration.email, _subject(registration, subject), _render("confirmation", registration, link=link,
                                                                       calendar_link=_calendar_link(token)))


@_in_their_language
def queue_link(registration: Registration, token: str) -> None:
    link = external_url("registration.show", token=token)
    queue(registration.email, _subject(registration, _("your private link")),
          _render("link", registration, link=link, calendar_link=_calendar_link(token)))


@_in_their_language
def queue_promotion(registration: Registration) -> None:
    queue(registration.email, _subject(registration, _("a place is yours")), _render("promotion", registration))


@_in_their_language
def queue_visit_promotion(registration: Registration, visit: FieldVisit) -> None:
    subject = _("a place on “%(visit)s” is yours", visit=visit.title)
    queue(registration.email, _subject(registration, subject), _render("visit_promotion", registration, visit=visit))


@_in_their_language
def queue_cancellation(registration: Registration, *, by_organiser: bool = False) -> None:
    queue(registration.email, _subject(registration, _("registration cancelled")),
          _render("cancellation", registration, by_organiser=by_organiser))


@_in_their_language
def queue_changed_by_organiser(registration: Registration) -> None:
    queue(registration.email, _subject(registration, _("your registration was updated")),
          _render("changed", registration))


def queue_promotions(promotions: waitlist.Promotions, skip: Registration | None = None) -> None:
    """Tell everyone who got a place during one change; `skip` is the delegate who made the change
    (their own confirmation already says it). A delegate promoted at the meeting gets one message,
    which lists their visit places too."""
    promoted = {r.id for r in promotions.registrations}
    for registration in promotions.registrations:
        if registration is not skip:
            queue_promotion(registration)
    for booking in promotions.bookings:
        registration = booking.registration
        if registration is not skip and registration.id not in promoted:
            queue_visit_promotion(registration, booking.visit)


# --- sending ----------------------------------------------------------------------------------------

@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed"


@dataclass
class _Letter:
    id: int
    recipient: str
    subject: str
    body: str


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, then doubling, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))


def send_outbox(*, limit: int = BATCH_SIZE, respect_backoff: bool = True) -> SendReport:
    """Send queued messages, oldest first. Messages that fail stay queued with their error and a retry
    time; `respect_backoff=False` (the command line) retries them now. Safe to run concurrently:
    on PostgreSQL each sender skips the rows another one holds."""
    if not _sending.acquire(blocking=False):
        return SendReport()
    try:
        return _send_batch(limit, respect_backoff)
    finally:
        _sending.release()


def _send_batch(limit: int, respect_backoff: bool) -> SendReport:
    now = utcnow()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)
    )
    if respect_backoff:
        query = query.where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
    letters = [_Letter(m.id, m.recipient, m.subject, m.body) for m in db.session.scalars(query)]
    if not letters:
        db.session.rollback()
        return SendReport()
    if db.engine.dialect.name == "sqlite":
        # SQLite has one write lock for the whole database: never hold it while talking to a mail server.
        db.session.commit()

    errors = _deliver(letters)

    report = SendReport()
    done_at = utcnow()
    for letter in letters:
        message = db.session.get(OutboxMessage, letter.id)
        if message is None or message.sent_at is not None:
            continue
        message.attempts += 1
        error = errors.get(letter.id)
        if error is None:
            message.sent_at = done_at
            message.last_error = ""
            report.sent += 1
        else:
            message.last_error = error[:2000]
            message.next_attempt_at = done_at + retry_delay(message.attempts)
            report.failed += 1
    db.session.commit()
    return report


def _email_message(letter: _Letter, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message["Message-ID"] = make_msgid(domain="portmeet")
    message.set_content(letter.body)
    return message


def _deliver(letters: list[_Letter]) -> dict[int, str]:
    """Send each letter; returns {id: error} for those that failed."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for letter in letters:
            logger.info("E-mail (no MAIL_SERVER set, not sent) to %s\nSubject: %s\n\n%s",
                        letter.recipient, letter.subject, letter.body)
        return {}
    errors: dict[int, str] = {}
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Mail server %s unreachable: %s; %d message(s) stay queued",
                       config["MAIL_SERVER"], error, len(letters))
        return {letter.id: f"connect: {error}" for letter in letters}
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        for index, letter in enumerate(letters):
            try:
                smtp.send_message(_email_message(letter, config["MAIL_DEFAULT_SENDER"]))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                errors[letter.id] = str(error)  # this message only; go on with the others
            except (OSError, smtplib.SMTPException) as error:
                for rest in letters[index:]:
                    errors[rest.id] = str(error)
                break
    except (OSError, smtplib.SMTPException) as error:
        for letter in letters:
            errors.setdefault(letter.id, str(error))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    if errors:
        logger.warning("%d message(s) not sent, kept for a retry: %s", len(errors), next(iter(errors.values())))
    return errors


def send_after_response(response):
    """After a request that queued mail, send it once the response has gone to the browser; a failure
    is logged and the message stays queued (never an error for the delegate)."""
    app = current_app._get_current_object()
    if not (g.get("portmeet_mail_queued") and app.config.get("MAIL_SEND_AFTER_REQUEST")):
        return response

    def send():
        try:
            with app.app_context():
                send_outbox(limit=20)
        except Exception:  # noqa: BLE001 — mail must never break the site
            app.logger.exception("Sending queued mail after a request failed; it stays queued")

    response.call_on_close(send)
    return response
