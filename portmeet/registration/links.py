"""A registration's private links: several live at once, each stored only as a hash with its creation and
last use; revoked only when the delegate asks (re-sending a link never cuts off the one they have)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.registration.models import Registration, RegistrationLink, hash_token
from portmeet.timeutil import utcnow

LAST_USE_RESOLUTION = timedelta(minutes=10)  # the last use is rewritten at most this often
RESENDS_PER_HOUR = 3  # links e-mailed to one registration in an hour, whoever asks (the rest are dropped)


def link_by_token(token: str) -> RegistrationLink | None:
    """The live (not revoked) link this token opens."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(RegistrationLink).where(RegistrationLink.token_hash == hash_token(token),
                                                            RegistrationLink.revoked_at.is_(None)))


def registration_by_token(token: str, *, touch: bool = True) -> Registration | None:
    """The registration whose live private link carries this token; notes the link's use."""
    link = link_by_token(token)
    if link is None:
        return None
    if touch:
        now = utcnow()
        if link.last_used_at is None or now - link.last_used_at >= LAST_USE_RESOLUTION:
            from portmeet.dbtx import writing

            writing()
            link = link_by_token(token)
            if link is None:
                return None
            link.last_used_at = now
            db.session.commit()
    return link.registration


def live_links(registration: Registration) -> list[RegistrationLink]:
    return [link for link in registration.links if link.revoked_at is None]


def recent_links(registration: Registration, within: timedelta = timedelta(hours=1)) -> int:
    return db.session.scalar(select(func.count()).select_from(RegistrationLink).where(
        RegistrationLink.registration_id == registration.id, RegistrationLink.created_at >= utcnow() - within))


def revoke(registration: Registration, link_id: int) -> RegistrationLink | None:
    """Revoke one of the registration's live links (the delegate's choice); None if it is not theirs."""
    for link in live_links(registration):
        if link.id == link_id:
            link.revoked_at = utcnow()
            if registration.token_hash == link.token_hash:
                registration.token_hash = None
            db.session.flush()
            return link
    return None
