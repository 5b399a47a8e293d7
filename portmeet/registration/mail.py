"""E-mail: the messages to delegates, queued in the outbox with the change they report.

A message is written to `outbox_messages` in the same transaction as the registration change, so it
exists exactly when the change does; `registration.outbox` delivers it. A confirmation is queued with what
was decided, and its text is written by the sender first (`write_confirmations`).
"""
from __future__ import annotations

import functools
import logging
import re

from flask import g, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portmeet.direct_insert import insert_with_children
from portmeet.extensions import db
from portmeet.meetings.content import localized
from portmeet.meetings.models import FieldVisit, ProgrammeSession
from portmeet.registration import companions, waitlist
from portmeet.registration.models import Companion, OutboxMessage, Registration
from portmeet.timeutil import utcnow
from portmeet.urls import base_url, external_url, links_as_served_at  # links in e-mails: PORTMEET_BASE_URL

logger = logging.getLogger("portmeet.mail")
logger.setLevel(logging.INFO)  # the development "mail server" is the log: it must show at INFO

BATCH_SIZE = 100
# Control characters have no place in a header (a CR/LF would end it): replaced before queueing.
_HEADER_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# --- queueing ---------------------------------------------------------------------------------------

def _subject_header(subject: str) -> str:
    return _HEADER_CONTROL.sub(" ", subject).strip()[:300]  # a title typed with a line break stays one header


def _message(recipient: str, subject: str, body: str, **columns) -> OutboxMessage:
    if has_app_context():
        g.portmeet_mail_queued = True  # tells the after-request sender there is something to send
    return OutboxMessage(recipient=recipient, subject=_subject_header(subject), body=body, created_at=utcnow(),
                         **columns)


def queue(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = _message(recipient, subject, body)
    db.session.add(message)
    return message


def private_url(registration: Registration, endpoint: str = "registration.show") -> str:
    """A link to one of the delegate's own pages, for an e-mail sent after registering: one more live
    private link (only its hash is kept), issued once per registration and request, so that the links
    of one e-mail share a token and the delegate can revoke it from their page."""
    token = getattr(registration, "_mail_token", None)
    if token is None:
        token = registration._mail_token = registration.set_new_token()
    return external_url(endpoint, token=token)


class _LinkOnDemand:
    """`private_url` for a mail template: issued only if the template prints it, so an e-mail
    without a link to the delegate's page adds no live link."""

    def __init__(self, registration: Registration):
        self.registration = registration

    def __str__(self) -> str:
        return private_url(self.registration)

    __html__ = __str__


def _visit_lines(registration: Registration) -> list[tuple[FieldVisit, str, int | None]]:
    return [(b.visit, b.status.value, position) for b, position in waitlist.picks_with_positions(registration)]


def _signup_lines(registration: Registration) -> list[tuple[ProgrammeSession, str, int | None]]:
    return [(s.session, s.status.value, position)
            for s, position in waitlist.picks_with_positions(registration, waitlist.SESSIONS)]


def _lines_now(registration: Registration) -> dict:
    """The status and picks an e-mail prints, as they are now."""
    return {
        "delegate_status": registration.status.value,
        "position": waitlist.registration_position(registration),
        "visits": _visit_lines(registration),
        "signups": _signup_lines(registration),
        "companions": companions.picks_of(registration),
    }


def render(template: str, registration: Registration, lines: dict | None = None, **context) -> str:
    """The text of an e-mail to the delegate from templates/registration/mail/, with their status,
    picks and a working link to their own page (`private_url`); `lines`: the status and picks when the
    caller has them (a confirmation's recorded decision), else as they are now (`_lines_now`)."""
    meeting = registration.meeting
    lines = lines if lines is not None else _lines_now(registration)
    return render_template(
        f"registration/mail/{template}.txt",
        registration=registration,
        meeting=meeting,
        **lines,
        meeting_url=external_url("meetings.detail", slug=meeting.slug),
        resend_url=external_url("registration.resend_link", slug=meeting.slug),
        private_url=_LinkOnDemand(registration),
        **context,
    )


def subject_line(registration: Registration, text: str) -> str:
    # The colon is part of the translation: French wants a no-break space before it.
    return _("%(meeting)s: %(subject)s", meeting=localized(registration.meeting, "title"), subject=text)


def in_their_language(queue_message):
    """Write the message in the language the delegate registered in, whoever's request sends it
    (a promotion is triggered by someone else's cancellation, an update by an organiser)."""
    @functools.wraps(queue_message)
    def queue_in_language(registration: Registration, *args, **kwargs):
        with force_locale(registration.language or registration.meeting.language):
            return queue_message(registration, *args, **kwargs)
    return queue_in_language


def _calendar_link(token: str) -> str:
    return external_url("documents.itinerary_ics", token=token)


@in_their_language
def _confirmation(registration: Registration, token: str, decision: dict | None = None) -> tuple[str, str]:
    """The confirmation's subject and text, with the link `token` opens; from `decision` (recorded when it was
    queued) when given, else from the registration as it is."""
    registration._mail_token = token  # the link just issued serves every URL of this e-mail
    link = external_url("registration.show", token=token)
    lines = _decided_lines(decision) if decision is not None else _lines_now(registration)
    subject = (_("your registration is confirmed") if lines["delegate_status"] == "confirmed"
               else _("you are on the waiting list"))
    return subject_line(registration, subject), render("confirmation", registration, lines, link=link,
                                                        calendar_link=_calendar_link(token))


def queue_confirmation(registration: Registration, token: str) -> None:
    queue(registration.email, *_confirmation(registration, token))


# The confirmation of a delegate registering on the public form is queued under the registration's locks as a row
# with what was decided (`queue_confirmation_intent`: status, queue positions and picks, the link's token: numbers
# read from the rows just written, no query), so the e-mail exists exactly when the registration does and says what
# was decided even if the delegate changes or cancels a moment later. Its text is written by the sender
# (`write_confirmations`, first thing in every `send-mail` run and after-request send), off the registration's
# request: the request neither renders it nor opens a second transaction. A row is never sent before its text is
# written; the token leaves the row when the text is written, the link leaves the text when it is sent.

def queue_confirmation_intent(registration: Registration, token: str) -> None:
    """Under the locks, with the (flushed) registration: the confirmation's row and what was decided."""
    # Under the registration's locks: its INSERT straight away, not at the ORM's flush (portmeet/direct_insert.py).
    insert_with_children(_confirmation_intent(registration, token, _lines_now(registration)))


def confirmation_intent_of_new(registration: Registration, token: str) -> tuple[OutboxMessage, str]:
    """The confirmation's row of a new registration whose picks were just made and whose rows are not written yet
    (no ids), and the column to give its id: `insert_with_children(registration, …, naming_it=[…])` writes them
    together. Its accompanying persons' rows come later: only for a registration with none."""
    return _confirmation_intent(registration, token, _lines_now(registration)), "confirmation_for"


def _confirmation_intent(registration: Registration, token: str, lines: dict) -> OutboxMessage:
    return _message(registration.email, "", "", confirmation_for=registration.id, decision={
        "token": token,
        "base_url": base_url(),  # in development without PORTMEET_BASE_URL, the address the delegate used
        "status": lines["delegate_status"],
        "position": lines["position"],
        "visits": [[visit.id, status, position] for visit, status, position in lines["visits"]],
        "signups": [[session.id, status, position] for session, status, position in lines["signups"]],
        "companions": [[entry.companion.id, [[pick.is_visit, pick.place.id, pick.status, pick.position]
                                              for pick in entry.picks]]
                       for entry in lines["companions"]],
    })


def _decided_lines(decision: dict) -> dict:
    """The template's status and picks from a recorded decision, with today's visits, sessions and persons (one
    deleted since is left out: its own e-mail says so)."""
    def place(is_visit: bool, place_id: int):
        return db.session.get(FieldVisit if is_visit else ProgrammeSession, place_id)

    persons = []
    for companion_id, picks in decision["companions"]:
        companion = db.session.get(Companion, companion_id)
        if companion is not None:
            persons.append(companions.CompanionPicks(companion, [
                companions.CompanionPick(found, status, position) for is_visit, place_id, status, position in picks
                if (found := place(is_visit, place_id)) is not None]))
    return {
        "delegate_status": decision["status"],
        "position": decision["position"],
        "visits": [(found, status, position) for visit_id, status, position in decision["visits"]
                   if (found := place(True, visit_id)) is not None],
        "signups": [(found, status, position) for session_id, status, position in decision["signups"]
                    if (found := place(False, session_id)) is not None],
        "companions": persons,
    }


def write_confirmations() -> int:
    """Write the text of the confirmations queued with their decision (and, with a new private link, of any
    queued without one by an earlier version, from the registration as it is). Claims them with SKIP LOCKED, so
    two senders never write one twice. Commits; returns how many."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.confirmation_for.is_not(None))
        .order_by(OutboxMessage.id).limit(BATCH_SIZE).with_for_update(skip_locked=True)
    ).all()
    written = 0
    for message in messages:
        registration = db.session.get(Registration, message.confirmation_for)
        if registration is None:  # gone since (its meeting deleted): nothing left to confirm
            db.session.delete(message)
            continue
        try:
            if message.decision:
                with links_as_served_at(message.decision.get("base_url")):
                    subject, body = _confirmation(registration, message.decision["token"], message.decision)
            else:
                token = registration.set_new_token()
                db.session.flush()
                subject, body = _confirmation(registration, token)
                message.recipient = registration.email
        except Exception:  # noqa: BLE001 — one text that cannot be written never holds back the others' mail
            logger.exception("Confirmation %d could not be written; it stays queued", message.id)
            continue
        message.subject, message.body = _subject_header(subject), body
        message.confirmation_for = message.decision = None
        written += 1
    db.session.commit()
    return written


@in_their_language
def queue_link(registration: Registration, token: str) -> None:
    registration._mail_token = token
    link = external_url("registration.show", token=token)
    queue(registration.email, subject_line(registration, _("your private link")),
          render("link", registration, link=link, calendar_link=_calendar_link(token)))


@in_their_language
def queue_promotion(registration: Registration) -> None:
    queue(registration.email, subject_line(registration, _("a place is yours")), render("promotion", registration))


@in_their_language
def queue_visit_promotion(registration: Registration, visit: FieldVisit, companion: Companion | None = None) -> None:
    """A waiting pick got a place: the delegate's own, or (`companion`) that of a person accompanying them."""
    if companion is None:
        subject = _("a place on “%(visit)s” is yours", visit=localized(visit, "title"))
    else:
        subject = _("a place on “%(visit)s” for %(name)s", visit=localized(visit, "title"), name=companion.full_name)
    queue(registration.email, subject_line(registration, subject),
          render("visit_promotion", registration, visit=visit, companion=companion))


@in_their_language
def queue_signup_promotion(registration: Registration, session: ProgrammeSession,
                           companion: Companion | None = None) -> None:
    """A waiting sign-up got a place: the delegate's own, or (`companion`) that of a person accompanying them."""
    if companion is None:
        subject = _("a place at “%(event)s” is yours", event=localized(session, "title"))
    else:
        subject = _("a place at “%(event)s” for %(name)s", event=localized(session, "title"), name=companion.full_name)
    queue(registration.email, subject_line(registration, subject),
          render("signup_promotion", registration, session=session, companion=companion))


@in_their_language
def queue_cancellation(registration: Registration, *, by_organiser: bool = False) -> None:
    queue(registration.email, subject_line(registration, _("registration cancelled")),
          render("cancellation", registration, by_organiser=by_organiser))


@in_their_language
def queue_changed_by_organiser(registration: Registration) -> None:
    queue(registration.email, subject_line(registration, _("your registration was updated")),
          render("changed", registration))


def queue_promotions(promotions: waitlist.Promotions, skip: Registration | None = None) -> None:
    """Tell everyone who got a place during one change; `skip` is the delegate who made the change
    (their own confirmation already says it). A delegate promoted at the meeting gets one message,
    which lists their visit and meal places too."""
    promoted = {r.id for r in promotions.registrations}
    for registration in promotions.registrations:
        if registration is not skip:
            queue_promotion(registration)
    for booking in promotions.bookings:
        registration = booking.registration
        if registration is not skip and registration.id not in promoted:
            queue_visit_promotion(registration, booking.visit, booking.companion)
    for signup in promotions.signups:
        registration = signup.registration
        if registration is not skip and registration.id not in promoted:
            queue_signup_promotion(registration, signup.session, signup.companion)
