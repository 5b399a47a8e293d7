"""Staff looking at a delegate's personal data (ID document, dietary and accessibility needs): each
view goes to the meeting's audit trail, naming what was shown, never the values."""
from __future__ import annotations

from portmeet import audit
from portmeet.registration.models import Registration


def personal_data_shown(registration: Registration, *, with_id_data: bool) -> list[str]:
    """What kinds of personal data a staff page about this delegate shows (theirs and their accompanying
    persons')."""
    people = [registration, *registration.companions]
    shown = []
    if with_id_data and any(person.nationality or person.id_number or person.date_of_birth for person in people):
        shown.append("ID document")
    if any(person.has_dietary_needs for person in people):
        shown.append("dietary needs")
    if registration.accessibility:
        shown.append("accessibility needs")
    return shown


def record_view(meeting, registration: Registration, *, with_id_data: bool, page: str) -> bool:
    """Log that a staff page about to be shown holds this delegate's personal data (the caller commits).
    Returns whether there was any to log."""
    shown = personal_data_shown(registration, with_id_data=with_id_data)
    if not shown:
        return False
    kind = "id_data.viewed" if "ID document" in shown else "needs.viewed"
    audit.record(meeting, kind, subject=registration, details={"shown": shown, "page": page})
    return True
