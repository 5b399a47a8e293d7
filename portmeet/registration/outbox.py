"""The sender: delivers the outbox's messages (registration/mail.py queues them).

It runs as `flask --app wsgi send-mail`, and after each request when MAIL_SEND_AFTER_REQUEST is on, and
delivers over SMTP. A failure leaves the message queued with its error and a later retry time, so a slow or
stopped mail server never fails a registration nor loses mail.
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g
from sqlalchemy import func, or_, select

from portmeet.extensions import db
from portmeet.registration.mail import BATCH_SIZE, logger, write_confirmations
from portmeet.registration.models import OutboxMessage
from portmeet.timeutil import utcnow

MAX_ATTEMPTS = 30
SMTP_TIMEOUT = 15  # seconds; a hung mail server must not hold a worker for long
_sending = threading.Lock()  # one sender at a time per process (the dev server is threaded)


# --- sending ----------------------------------------------------------------------------------------

@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    attempted: set[int] = field(default_factory=set)  # ids tried, so that one run tries each once

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed"


@dataclass
class _Letter:
    id: int
    recipient: str
    subject: str
    body: str


CLAIM_MINUTES = 10  # a sender that died mid-batch leaves its messages to the next run after this long
# Private links (a delegate's page, a password reset) in a message body: removed once the message is sent,
# so that the outbox never keeps a working link.
PRIVATE_LINK = re.compile(r"\S*/(?:registrations|reset-password)/[A-Za-z0-9_-]{16,}\S*")
REMOVED_LINK = "[private link removed after sending]"


def redact_links(body: str) -> str:
    return PRIVATE_LINK.sub(REMOVED_LINK, body)


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, then doubling, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))


def send_outbox(*, limit: int = BATCH_SIZE, respect_backoff: bool = True, exclude=()) -> SendReport:
    """Send queued messages, fewest attempts first, then oldest. Each message is claimed, sent and marked
    on its own: one that fails (a refused recipient, a header that cannot be written) is counted, given a
    later retry time and skipped, and never stops the others. `respect_backoff=False` (the command line)
    retries failed ones now. Safe to run on several machines at once: a sender claims its batch with
    `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises the claim), so no message is sent twice."""
    if not _sending.acquire(blocking=False):
        return SendReport()
    try:
        write_confirmations()
        letters, claim = _claim(limit, respect_backoff, exclude)
        if not letters:
            return SendReport()
        return _deliver(letters, claim)
    finally:
        _sending.release()


def _claim(limit: int, respect_backoff: bool, exclude=()) -> tuple[list[_Letter], str]:
    """Mark up to `limit` sendable messages as this sender's for CLAIM_MINUTES, and commit: from then on
    no other sender takes them, and no lock is held while talking to the mail server."""
    now = utcnow()
    claim = uuid.uuid4().hex
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
               OutboxMessage.confirmation_for.is_(None),  # its text is still to be written
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.attempts, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)
    )
    if respect_backoff:
        query = query.where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
    if exclude:
        query = query.where(OutboxMessage.id.not_in(list(exclude)))
    messages = db.session.scalars(query).all()
    for message in messages:
        message.claimed_by = claim
        message.claimed_until = now + timedelta(minutes=CLAIM_MINUTES)
    letters = [_Letter(m.id, m.recipient, m.subject, m.body) for m in messages]
    db.session.commit()
    return letters, claim


def _mark(letter: _Letter, claim: str, error: str | None) -> None:
    """Record one message's outcome at once (its own transaction), so that a crash later in the batch
    never sends it again."""
    message = db.session.get(OutboxMessage, letter.id)
    if message is not None and message.claimed_by == claim and message.sent_at is None:
        now = utcnow()
        message.attempts += 1
        message.claimed_until = None
        if error is None:
            message.sent_at = now
            message.last_error = ""
            message.body = redact_links(message.body)
        else:
            message.last_error = error[:2000]
            message.next_attempt_at = now + retry_delay(message.attempts)
    db.session.commit()


def _email_message(letter: _Letter, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message["Message-ID"] = make_msgid(domain="portmeet")
    message.set_content(letter.body)
    return message


def _deliver(letters: list[_Letter], claim: str) -> SendReport:
    """Send each claimed letter and record its outcome."""
    config = current_app.config
    report = SendReport()

    def done(letter: _Letter, error: str | None) -> None:
        _mark(letter, claim, error)
        report.attempted.add(letter.id)
        if error is None:
            report.sent += 1
        else:
            report.failed += 1
            logger.warning("Message %d not sent, kept for a retry: %s", letter.id, error)

    if not config.get("MAIL_SERVER"):
        for letter in letters:
            if config.get("MAIL_LOG_BODIES"):
                logger.info("E-mail (no MAIL_SERVER set, not sent) to %s\nSubject: %s\n\n%s",
                            letter.recipient, letter.subject, letter.body)
            else:  # production: a body holds private links; never in a log
                logger.info("E-mail (no MAIL_SERVER set, not sent) to %s, subject %r; body not logged",
                            letter.recipient, letter.subject)
            done(letter, None)
        return report
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Mail server %s unreachable: %s; %d message(s) stay queued",
                       config["MAIL_SERVER"], error, len(letters))
        for letter in letters:
            done(letter, f"connect: {error}")
        return report
    remaining = list(letters)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        while remaining:
            letter = remaining[0]
            try:
                email = _email_message(letter, config["MAIL_DEFAULT_SENDER"])
            except Exception as error:  # noqa: BLE001 — a message that cannot be written fails alone
                remaining.pop(0)
                done(letter, f"message: {error}")
                continue
            try:
                smtp.send_message(email)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                remaining.pop(0)
                done(letter, str(error))  # this message only; go on with the others
                continue
            remaining.pop(0)
            done(letter, None)
    except (OSError, smtplib.SMTPException) as error:
        for letter in remaining:  # the connection is gone: the rest wait for the next run
            done(letter, str(error))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report


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


class _ConsoleHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a message comes (the dev server's terminal)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def show_mail_in_console(app) -> None:
    """Without MAIL_SERVER the outbox is "sent" to this module's logger; give that logger a console
    handler, so a newcomer running `make run` reads the demo's e-mails (links included) in the
    server's output. Left alone when something already handles logging (gunicorn, pytest)."""
    if app.config.get("MAIL_SERVER") or logger.handlers or logging.getLogger().hasHandlers():
        return
    handler = _ConsoleHandler()
    handler.setFormatter(logging.Formatter("\n----- %(message)s\n-----"))
    logger.addHandler(handler)
