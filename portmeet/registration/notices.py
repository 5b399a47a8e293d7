"""E-mails a delegate gets without acting: reminders, and changes made by the meeting's staff.

Each is queued in the delegate's own language through the outbox (`registration.mail`), with a
working link to their own page.
"""
from __future__ import annotations

from datetime import date, time

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portmeet.labels import label
from portmeet.meetings.content import localized
from portmeet.meetings.models import FieldVisit, ProgrammeSession
from portmeet.registration.mail import in_their_language, private_url, queue, render, subject_line
from portmeet.registration.models import Registration
from portmeet.template_helpers import format_time

FIELD_NAMES = {
    "day": _l("Day"), "start_time": _l("Start"), "end_time": _l("End"), "meeting_point": _l("Meeting point"),
    "transport": _l("Transport"), "room": _l("Room"),
}


def _shown(value) -> str:
    if isinstance(value, date):
        return format_date(value, "full")
    if isinstance(value, time):
        return format_time(value)
    if hasattr(value, "value"):  # an enum: transport
        return label(value)
    return value or "—"


def _change_lines(changes) -> list[str]:
    """"Start: 15:00 → 16:00", in the language of the message being written."""
    return [_("%(what)s: %(old)s → %(new)s", what=FIELD_NAMES.get(name, name), old=_shown(old), new=_shown(new))
            for name, old, new in changes]


@in_their_language
def queue_itinerary_reminder(registration: Registration) -> None:
    meeting = registration.meeting
    subject = _("your itinerary, %(date)s", date=format_date(meeting.start_date, "long"))
    queue(registration.email, subject_line(registration, subject), render(
        "reminder_itinerary", registration,
        itinerary_url=private_url(registration, "documents.itinerary_pdf"),
        calendar_url=private_url(registration, "documents.itinerary_ics"),
    ))


@in_their_language
def queue_id_data_reminder(registration: Registration, visit: FieldVisit) -> None:
    subject = _("ID data needed for “%(visit)s”", visit=visit.title)
    queue(registration.email, subject_line(registration, subject), render(
        "reminder_id_data", registration, visit=visit, edit_url=private_url(registration, "registration.edit"),
    ))


@in_their_language
def queue_visit_change(registration: Registration, visit: FieldVisit, changes) -> None:
    subject = _("“%(visit)s” has changed", visit=visit.title)
    queue(registration.email, subject_line(registration, subject),
          render("visit_changed", registration, visit=visit, changes=_change_lines(changes)))


@in_their_language
def queue_session_change(registration: Registration, session: ProgrammeSession, changes) -> None:
    subject = _("“%(session)s” has changed", session=session.title)
    queue(registration.email, subject_line(registration, subject),
          render("session_changed", registration, session=session, changes=_change_lines(changes)))


@in_their_language
def queue_visit_cancelled(registration: Registration, visit: FieldVisit) -> None:
    subject = _("“%(visit)s” is cancelled", visit=visit.title)
    queue(registration.email, subject_line(registration, subject),
          render("visit_cancelled", registration, visit=visit))


@in_their_language
def queue_session_cancelled(registration: Registration, session: ProgrammeSession) -> None:
    subject = _("“%(event)s” is cancelled", event=localized(session, "title"))
    queue(registration.email, subject_line(registration, subject),
          render("session_cancelled", registration, session=session))


@in_their_language
def queue_booked_by_staff(registration: Registration, visit: FieldVisit) -> None:
    subject = _("a place on “%(visit)s” is yours", visit=visit.title)
    queue(registration.email, subject_line(registration, subject),
          render("visit_booked_by_staff", registration, visit=visit))


@in_their_language
def queue_removed_by_staff(registration: Registration, visit: FieldVisit) -> None:
    subject = _("“%(visit)s” removed from your field visits", visit=visit.title)
    queue(registration.email, subject_line(registration, subject),
          render("visit_removed_by_staff", registration, visit=visit))
