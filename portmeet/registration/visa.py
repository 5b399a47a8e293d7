"""Visa invitation letters: the passport details a request needs, and what a change does to the request."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portmeet.meetings.models import Meeting
from portmeet.registration.models import IdType, Registration, VisaLetterStatus

# The document's data as a consulate reads it; all required for a letter.
PASSPORT_FIELDS = ("id_name", "nationality", "id_type", "id_number", "id_expiry", "date_of_birth")


def _given(value) -> bool:
    return value not in (None, "")


def problems(meeting: Meeting, data: dict, registration: Registration | None) -> list[tuple[str, str]]:
    """(field, message) for each passport detail a visa-letter request lacks; empty fields keep what the
    registration already holds. The document must still be valid on the meeting's last day."""
    if not data.get("needs_visa_letter"):
        return []
    labels = {
        "id_name": _("the name as written in your passport"), "nationality": _("your nationality"),
        "id_type": _("the type of document"), "id_number": _("the document number"),
        "id_expiry": _("the document's expiry date"), "date_of_birth": _("your date of birth"),
    }
    found = []
    for name in PASSPORT_FIELDS:
        if not _given(data.get(name)) and not (registration is not None and _given(getattr(registration, name))):
            found.append((name, _("A visa invitation letter needs %(what)s.", what=labels[name])))
    expiry = data.get("id_expiry")
    if isinstance(expiry, date) and expiry <= meeting.end_date:
        found.append(("id_expiry", _("This document expires before the end of the meeting; a consulate will "
                                     "refuse it. Give a document valid after %(date)s.",
                                     date=meeting.end_date.isoformat())))
    return found


def apply_request(registration: Registration, data: dict, before: dict) -> None:
    """Record the request (or its withdrawal). A letter already approved goes back to the staff when a
    passport detail changes: the letter must never print data nobody checked."""
    if "needs_visa_letter" not in data:
        return
    wanted = bool(data.get("needs_visa_letter"))
    registration.needs_visa_letter = wanted
    if not wanted:
        registration.visa_letter = None
        registration.visa_letter_decided_at = None
        return
    changed = any(before.get(name) != getattr(registration, name) for name in PASSPORT_FIELDS)
    if registration.visa_letter is None or (changed and registration.visa_letter == VisaLetterStatus.approved):
        registration.visa_letter = VisaLetterStatus.requested
        registration.visa_letter_decided_at = None


def id_type(value) -> IdType | None:
    return IdType(value) if value in IdType.__members__ else None


def passport_data(registration: Registration) -> dict:
    return {name: getattr(registration, name) for name in PASSPORT_FIELDS}
