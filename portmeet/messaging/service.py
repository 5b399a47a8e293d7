"""Writing to a group of delegates: who receives it, what each one reads, sending it once.

Each delegate's copy is written in their language when a version for it was given, with the
placeholders replaced, and queued in the outbox in the same transaction as the message's log entry.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portmeet import audit
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.messaging.models import Message, MessageRecipient
from portmeet.registration import mail
from portmeet.registration.listing import RegistrationFilters, registrations_of
from portmeet.registration.models import Registration, RegistrationStatus


class MessageError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Draft:
    subject: str
    body: str
    versions: dict  # {language: {"subject", "body"}}


def new_send_key() -> str:
    return secrets.token_hex(16)


def recipients(meeting: Meeting, filters: RegistrationFilters) -> list[Registration]:
    """The delegates the filters choose; cancelled ones only when the filter asks for them."""
    chosen = registrations_of(meeting, filters)
    if not filters.status:
        chosen = [r for r in chosen if r.status != RegistrationStatus.cancelled]
    return chosen


def personal_copy(draft: Draft, registration: Registration) -> tuple[str, str]:
    """(subject, body) as this delegate receives them: their language's version if there is one, the
    placeholders replaced (plain replacement: no other braces in the text are touched)."""
    version = draft.versions.get(registration.language) or {"subject": draft.subject, "body": draft.body}
    values = {
        "{first_name}": registration.first_name,
        "{link}": mail.private_url(registration),
        "{itinerary}": mail.private_url(registration, "documents.itinerary_pdf"),
    }
    body = version["body"]
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    subject = version["subject"].replace("{first_name}", registration.first_name)
    with force_locale(registration.language or registration.meeting.language):  # "Title : subject" in French
        return mail.subject_line(registration, subject), body


def sent_with_key(meeting: Meeting, send_key: str) -> Message | None:
    return db.session.scalar(select(Message).where(Message.meeting_id == meeting.id, Message.send_key == send_key))


def send(meeting: Meeting, draft: Draft, filters: RegistrationFilters, send_key: str, sender) -> tuple[Message, bool]:
    """Queue the message to every delegate the filters choose and log it. With a key already used
    (a double click), nothing is sent again: returns (that message, False)."""
    earlier = sent_with_key(meeting, send_key)
    if earlier is not None:
        return earlier, False
    chosen = recipients(meeting, filters)
    if not chosen:
        raise MessageError(_("No delegate matches these filters: nothing was sent."))
    message = Message(meeting_id=meeting.id, subject=draft.subject, body=draft.body, versions=draft.versions,
                      filters={k: v for k, v in vars(filters).items() if v not in (None, "", False)},
                      send_key=send_key, sent_by_user_id=getattr(sender, "id", None),
                      sent_by=getattr(sender, "email", ""))
    db.session.add(message)
    db.session.flush()  # a concurrent double click stops here, on the unique key
    for registration in chosen:
        subject, body = personal_copy(draft, registration)
        mail.queue(registration.email, subject, body)
        message.recipients.append(MessageRecipient(registration_id=registration.id, name=registration.full_name,
                                                   email=registration.email, language=registration.language))
    db.session.flush()
    audit.record(meeting, "message.sent", subject=message, details={"subject": draft.subject,
                                                                     "recipients": len(chosen)})
    return message, True


def messages_of(meeting: Meeting) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.meeting_id == meeting.id).order_by(Message.created_at.desc(), Message.id.desc())
    ))
