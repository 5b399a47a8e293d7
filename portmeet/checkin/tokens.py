"""The code in a badge's QR: signed, derived from the registration's id, opening its check-in page."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import Registration


def _checkin_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portmeet-checkin")


def checkin_token(registration: Registration) -> str:
    """Distinct from the private manage link, so a lost badge never opens the delegate's own page."""
    return _checkin_serializer().dumps(registration.id)


def registration_by_checkin_token(meeting: Meeting, token: str) -> Registration | None:
    """The meeting's registration a badge code names; None for a forged code or another meeting's."""
    try:
        registration_id = _checkin_serializer().loads(token)
    except BadSignature:
        return None
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None or registration.meeting_id != meeting.id:
        return None
    return registration
