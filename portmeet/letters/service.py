"""Visa invitation letters: the letterhead, the staff's decision, and what a letter says."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portmeet import audit, uploads
from portmeet.extensions import db
from portmeet.letters import images
from portmeet.letters.models import Letterhead
from portmeet.meetings.models import Meeting
from portmeet.registration import mail
from portmeet.registration.models import Registration, RegistrationStatus, VisaLetterStatus
from portmeet.registration.visa import PASSPORT_FIELDS
from portmeet.timeutil import utcnow

LETTERHEAD_FIELDS = ("organisation", "address", "signatory_name", "signatory_title", "purpose")
DECISIONS = {"approve": VisaLetterStatus.approved, "decline": VisaLetterStatus.declined}


class LetterError(ValueError):
    """A decision or a letter the rules refuse; the message says why."""


def letterhead_of(meeting: Meeting) -> Letterhead:
    """The meeting's letterhead, or an unsaved one filled from the meeting (host organisation)."""
    return meeting.letterhead or Letterhead(meeting=None, organisation=meeting.host_organisation or "",
                                            address="", signatory_name="", signatory_title="", purpose="")


def save_letterhead(meeting: Meeting, data: dict, *, logo: bytes | None = None, signature: bytes | None = None,
                    remove_logo: bool = False, remove_signature: bool = False) -> Letterhead:
    """Save the letter settings; new images are checked and re-encoded first (ImageError refuses them and
    changes nothing), replaced images are removed once the change is committed."""
    logo = images.clean_image(logo) if logo is not None else None
    signature = images.clean_image(signature) if signature is not None else None
    letterhead = meeting.letterhead
    if letterhead is None:
        letterhead = Letterhead()
        meeting.letterhead = letterhead
        db.session.add(letterhead)
    for name in LETTERHEAD_FIELDS:
        setattr(letterhead, name, (data.get(name) or "").strip())
    for attribute, new, remove in (("logo_file", logo, remove_logo), ("signature_file", signature, remove_signature)):
        if new is not None or remove:
            uploads.discard(getattr(letterhead, attribute))
            setattr(letterhead, attribute, uploads.store(new, "png") if new is not None else None)
    db.session.flush()
    return letterhead


def has_passport_data(registration: Registration) -> bool:
    return all(getattr(registration, name) not in (None, "") for name in PASSPORT_FIELDS)


def decision_problem(registration: Registration, decision: str) -> str | None:
    """Why this decision cannot be taken now, or None."""
    if decision not in DECISIONS:
        return _("Choose to approve or decline the letter.")
    if not registration.needs_visa_letter or registration.status == RegistrationStatus.cancelled:
        return _("This delegate has not asked for a visa invitation letter.")
    if decision == "approve":
        if not has_passport_data(registration):
            return _("The passport details are incomplete; the letter cannot be approved yet.")
        if not letterhead_of(registration.meeting).is_complete:
            return _("Fill in the letterhead (organisation, address, signatory) before approving letters.")
    return None


def decide(registration: Registration, decision: str, actor=None) -> None:
    """Approve or decline a delegate's visa letter, tell them by e-mail in their language, and record it
    in the meeting's history. Raises LetterError when the rules refuse it."""
    problem = decision_problem(registration, decision)
    if problem:
        raise LetterError(problem)
    registration.visa_letter = DECISIONS[decision]
    registration.visa_letter_decided_at = utcnow()
    db.session.flush()
    _queue_decision_mail(registration)
    record("visa_letter.approved" if decision == "approve" else "visa_letter.declined", registration, actor)


def _queue_decision_mail(registration: Registration) -> None:
    meeting = registration.meeting
    approved = registration.visa_letter == VisaLetterStatus.approved
    with force_locale(registration.language or meeting.language):
        subject = (_("your visa invitation letter is ready") if approved
                   else _("your visa invitation letter request"))
        body = render_template(
            "letters/mail/visa_decision.txt", registration=registration, meeting=meeting, approved=approved,
            meeting_url=mail.external_url("meetings.detail", slug=meeting.slug),
            resend_url=mail.external_url("registration.resend_link", slug=meeting.slug),
            letter_url=mail.private_url(registration, "letters.invitation_letter") if approved else None,
        )
        # The colon is part of the translation: French wants a no-break space before it.
        mail.queue(registration.email, _("%(meeting)s: %(subject)s", meeting=meeting.title, subject=subject), body)


def letter_available(registration: Registration) -> bool:
    """A delegate may download their letter once it is approved, while their registration and passport
    details stand (the purge after the meeting erases the details, and with them the letter)."""
    return (registration.visa_letter == VisaLetterStatus.approved and registration.needs_visa_letter
            and registration.status != RegistrationStatus.cancelled and has_passport_data(registration))


def reference(registration: Registration) -> str:
    """The letter's reference number, stable for the registration (consulates quote it when they check)."""
    return f"{registration.meeting.slug.upper()}/VL/{registration.id:05d}"


def letter_context(registration: Registration, preview: bool = False) -> dict:
    meeting = registration.meeting
    letterhead = letterhead_of(meeting)
    return dict(
        meeting=meeting, registration=registration, letterhead=letterhead, reference=reference(registration),
        issued=(registration.visa_letter_decided_at or utcnow()).date(), preview=preview,
        logo=images.data_uri(letterhead.logo_file), signature=images.data_uri(letterhead.signature_file),
    )


def record(kind: str, registration: Registration, actor=None) -> None:
    """A visa-letter event in the meeting's audit trail (who decided, who downloaded; never passport data)."""
    audit.record(registration.meeting, kind, actor, subject=registration)
