"""A meeting's content version, bumped in the same transaction as any change of the meeting, its field
visits, programme sessions or registration questions.

Pages kept rendered from that content (the registration form, registration/form_page.py) are keyed by
it, so a change made on any worker or server is seen by every other at its next request: nothing to
invalidate by hand. Every change of these rows goes through the ORM (no bulk UPDATE or DELETE of them
anywhere), which is what this listener watches.
"""
from itertools import chain

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.questions.models import Question

_PARTS = (FieldVisit, ProgrammeSession, Question)


def _meeting_id(item) -> int | None:
    if isinstance(item, Meeting):
        return item.id  # None for a new meeting: it starts at version 0
    if item.meeting_id is not None:
        return item.meeting_id
    meeting = item.__dict__.get("meeting")  # a new visit appended to its meeting: its id comes with the flush
    return meeting.id if meeting is not None else None


def _changed_meetings(session: Session) -> set[int]:
    ids = set()
    for item in chain(session.new, session.dirty, session.deleted):
        if not isinstance(item, (Meeting, *_PARTS)):
            continue
        if item in session.dirty and not session.is_modified(item, include_collections=False):
            continue  # touched, but no column changed
        meeting_id = _meeting_id(item)
        if meeting_id is not None:
            ids.add(meeting_id)
    return ids


@event.listens_for(Session, "before_flush")
def _bump_content_versions(session: Session, _flush_context, _instances) -> None:
    # Before the flush writes the visit or session rows: the meeting's row is locked first, as every change of
    # places does (registration/waitlist.py), so that a host's edit and a registration never wait in a circle.
    ids = _changed_meetings(session)
    if ids:
        session.connection().execute(
            update(Meeting.__table__).where(Meeting.__table__.c.id.in_(sorted(ids)))
            .values(content_version=Meeting.__table__.c.content_version + 1))
