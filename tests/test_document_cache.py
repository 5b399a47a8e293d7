"""The public programme PDF is rendered once per version of what it shows, kept in the database for every
worker; a meeting holds at most MAX_SESSIONS_PER_MEETING sessions (and visits)."""
from sqlalchemy import func, select

from portmeet.documents.cache import CachedDocument
from portmeet.extensions import db
from portmeet.meetings.models import ProgrammeSession


def _cached(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CachedDocument))


def test_the_programme_pdf_is_cached_shared_and_replaced_when_the_programme_changes(app, client, make_meeting,
                                                                                   make_session, organiser):
    meeting = make_meeting()
    make_session(meeting, title="Opening plenary")
    first = client.get(f"/meetings/{meeting.slug}/programme.pdf")
    assert first.status_code == 200 and _cached(app) == 1
    other_worker = app.test_client()  # same database, another client: served from the cache
    assert other_worker.get(f"/meetings/{meeting.slug}/programme.pdf").data == first.data
    assert _cached(app) == 1
    client.login(organiser.email)
    form = {"day": meeting.start_date.isoformat(), "start_time": "11:00", "end_time": "12:00",
            "title": "Port and city debate", "kind": "debate", "room": "Hall B", "description": "", "speakers": ""}
    assert client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new", form).status_code == 303
    changed = other_worker.get(f"/meetings/{meeting.slug}/programme.pdf")
    assert changed.data != first.data and b"%PDF" == changed.data[:4] and _cached(app) == 2


def test_a_meeting_refuses_a_session_beyond_the_cap_with_a_clear_message(app, client, make_meeting, organiser):
    meeting = make_meeting()
    app.config["MAX_SESSIONS_PER_MEETING"] = 3
    with app.app_context():
        for n in range(3):
            db.session.add(ProgrammeSession(meeting_id=meeting.id, day=meeting.start_date, start_time=__import__(
                "datetime").time(8 + n), end_time=__import__("datetime").time(9 + n), title=f"S{n}"))
        db.session.commit()
    client.login(organiser.email)
    form = {"day": meeting.start_date.isoformat(), "start_time": "15:00", "end_time": "16:00", "title": "One more",
            "kind": "plenary", "room": "", "description": "", "speakers": ""}
    response = client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new", form)
    assert response.status_code == 400
    assert "at most 3 sessions" in response.get_data(as_text=True)
