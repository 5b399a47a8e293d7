"""Registration rules: places, waitlists, bookings."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import BookingStatus, Registration, VisitBooking, hash_token


@dataclass
class VisitCount:
    capacity: int
    booked: int = 0
    waitlisted: int = 0

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)


def visit_counts(meeting: Meeting) -> dict[int, VisitCount]:
    """Booked and waitlisted counts of every field visit of the meeting, in one query."""
    counts = {visit.id: VisitCount(visit.capacity) for visit in meeting.visits}
    rows = db.session.execute(
        select(VisitBooking.visit_id, VisitBooking.status, func.count())
        .where(VisitBooking.visit_id.in_(counts.keys()))
        .group_by(VisitBooking.visit_id, VisitBooking.status)
    )
    for visit_id, status, number in rows:
        setattr(counts[visit_id], "booked" if status == BookingStatus.booked else "waitlisted", number)
    return counts


def registration_by_token(token: str) -> Registration | None:
    """The registration whose private link carries this token (only the token's hash is stored)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Registration).where(Registration.token_hash == hash_token(token)))


def _checkin_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portmeet-checkin")


def checkin_token(registration: Registration) -> str:
    """The code in a badge's QR: signed, derived from the id, and distinct from the private manage link,
    so a lost badge never opens the delegate's own page."""
    return _checkin_serializer().dumps(registration.id)


def registration_by_checkin_token(meeting: Meeting, token: str) -> Registration | None:
    try:
        registration_id = _checkin_serializer().loads(token)
    except BadSignature:
        return None
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None or registration.meeting_id != meeting.id:
        return None
    return registration
