"""Who may manage what: organisers everything, hosts their own meetings, others nothing."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portmeet.accounts.models import MeetingRole, User
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.meetings.service import public_meeting_or_none


def can_manage(user: User, meeting: Meeting) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    return db.session.scalar(
        select(MeetingRole.id).where(MeetingRole.user_id == user.id, MeetingRole.meeting_id == meeting.id)
    ) is not None


def get_public_meeting_or_404(slug: str, *, with_visits: bool = False) -> Meeting:
    """The meeting with this slug if the public may see it (not a draft); 404 otherwise. `with_visits` loads
    its visits in the same query."""
    meeting = public_meeting_or_none(slug, with_visits=with_visits)
    if meeting is None:
        abort(404)
    return meeting


def get_visible_meeting_or_404(slug: str) -> Meeting:
    """A public meeting, or a draft shown to its own hosts and organisers as a preview; 404 otherwise."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None or not (meeting.is_public or can_manage(current_user, meeting)):
        abort(404)
    return meeting


def get_managed_meeting_or_404(slug: str) -> Meeting:
    """The meeting with this slug if the signed-in user manages it; 404 otherwise, so others learn nothing."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None or not can_manage(current_user, meeting):
        abort(404)
    return meeting


def get_meeting_item_or_404(model, item_id: int, meeting: Meeting):
    """The session, field visit or registration with this id if it belongs to this meeting; 404 otherwise,
    so that one meeting's pages never reach another's items."""
    item = db.session.get(model, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    # A field visit or an event cancelled by its hosts is gone from every manage page (its delegates still
    # see it); a cancelled registration is not: staff still open it, and may register the delegate again.
    if isinstance(item, FieldVisit | ProgrammeSession) and item.cancelled_at is not None:
        abort(404)
    return item


def managed_meetings(user: User) -> list[Meeting]:
    query = select(Meeting).order_by(Meeting.start_date.desc())
    if not user.is_organiser:
        query = query.join(MeetingRole).where(MeetingRole.user_id == user.id)
    return list(db.session.scalars(query))


def require_organiser() -> None:
    if not (current_user.is_authenticated and current_user.is_organiser):
        abort(403)
