"""Hosts write the programme and the field visits; the rules refuse what cannot happen."""
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, ProgrammeSession, Speaker


@pytest.fixture
def hosted(client, make_meeting, make_user):
    meeting = make_meeting()
    client.login(make_user(hosts=(meeting,)).email)
    return meeting


def session_form(meeting, **overrides) -> dict:
    data = {"day": meeting.start_date.isoformat(), "start_time": "09:00", "end_time": "10:30",
            "title": "Port centres as a window on the port", "kind": "debate", "room": "Auditorium",
            "description": "", "speakers": "Iñaki Etxeberria, Bilbao Port Authority, ES\nΕλένη Παπαδοπούλου, OLP, GR"}
    data.update(overrides)
    return data


def visit_form(meeting, **overrides) -> dict:
    data = {"title": "Boat tour of the port", "description": "", "day": meeting.start_date.isoformat(),
            "start_time": "15:00", "end_time": "17:00", "meeting_point": "Pier 3", "transport": "boat",
            "capacity": "30", "requires_id": "y", "id_deadline": (meeting.start_date - timedelta(days=7)).isoformat()}
    data.update(overrides)
    return data


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_host_adds_a_session_with_speakers(app, client, hosted):
    response = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/new", session_form(hosted))
    assert response.status_code == 303
    with app.app_context():
        session = db.session.scalar(select(ProgrammeSession))
        assert [(s.name, s.organisation, s.country) for s in session.speakers] == [
            ("Iñaki Etxeberria", "Bilbao Port Authority", "ES"), ("Ελένη Παπαδοπούλου", "OLP", "GR")]
    page = client.get(f"/meetings/{hosted.slug}/").get_data(as_text=True)
    assert "Ελένη Παπαδοπούλου, OLP (Greece)" in page


@pytest.mark.parametrize("overrides, message", [
    ({"day": "2001-01-01"}, "Choose a day of the meeting"),
    ({"end_time": "08:00"}, "The session must end after it starts."),
    ({"end_time": "09:00"}, "The session must end after it starts."),
    ({"start_time": "9h"}, "Enter a time (HH:MM)."),
    ({"speakers": "Ana Ruiz, Port of Bilbao, Spain"}, "is not a two-letter country code"),
    ({"kind": "party"}, "Not a valid choice."),
    ({"title": ""}, "This field is required."),
])
def test_invalid_session_is_refused(app, client, hosted, overrides, message):
    response = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/new", session_form(hosted, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, ProgrammeSession) == 0


def test_two_sessions_cannot_share_a_room_at_the_same_time(app, client, hosted, make_session):
    make_session(hosted, title="Opening", start_time=time(9), end_time=time(10), room="Auditorium")
    clash = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/new",
                             session_form(hosted, start_time="09:30", end_time="11:00", room="auditorium"))
    assert clash.status_code == 400
    assert "is already used by “Opening” (09:00–10:00)" in clash.get_data(as_text=True)
    other_room = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/new",
                                  session_form(hosted, start_time="09:30", end_time="11:00", room="Room B"))
    back_to_back = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/new",
                                    session_form(hosted, start_time="10:00", end_time="11:00"))
    assert (other_room.status_code, back_to_back.status_code) == (303, 303)
    assert count(app, ProgrammeSession) == 3


def test_host_edits_and_deletes_a_session(app, client, hosted, make_session):
    session = make_session(hosted, title="Opening", speakers=[("Ana Ruiz", "Port of Bilbao", "ES")])
    edit_page = client.get(f"/manage/meetings/{hosted.slug}/sessions/{session.id}/edit").get_data(as_text=True)
    assert "Ana Ruiz, Port of Bilbao, ES" in edit_page
    response = client.post_form(f"/manage/meetings/{hosted.slug}/sessions/{session.id}/edit",
                                session_form(hosted, title="Opening, revised", speakers="Ana Ruiz"))
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(ProgrammeSession, session.id)
        assert saved.title == "Opening, revised" and [s.name for s in saved.speakers] == ["Ana Ruiz"]
    assert client.post(f"/manage/meetings/{hosted.slug}/sessions/{session.id}/delete").status_code == 400  # no CSRF
    client.post_form(f"/manage/meetings/{hosted.slug}/sessions/{session.id}/delete", {"confirm": "y"})
    assert count(app, ProgrammeSession) == 0
    assert count(app, Speaker) == 0


def test_host_adds_edits_and_deletes_a_field_visit(app, client, hosted):
    response = client.post_form(f"/manage/meetings/{hosted.slug}/visits/new", visit_form(hosted))
    assert response.status_code == 303
    with app.app_context():
        visit = db.session.scalar(select(FieldVisit))
        assert (visit.capacity, visit.requires_id, visit.transport.value) == (30, True, "boat")
    response = client.post_form(f"/manage/meetings/{hosted.slug}/visits/{visit.id}/edit",
                                visit_form(hosted, capacity="12", requires_id="", id_deadline=""))
    assert response.status_code == 303
    with app.app_context():
        visit = db.session.get(FieldVisit, visit.id)
        assert (visit.capacity, visit.requires_id, visit.id_deadline) == (12, False, None)
    client.post_form(f"/manage/meetings/{hosted.slug}/visits/{visit.id}/delete", {"confirm": "y"})
    assert count(app, FieldVisit) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"day": "2001-01-01"}, "Choose a day of the meeting"),
    ({"end_time": "14:00"}, "The visit must end after it starts."),
    ({"capacity": "0"}, "Places must be between 1 and 10000."),
    ({"capacity": "-3"}, "Places must be between 1 and 10000."),
    ({"id_deadline": ""}, "Give the date by which delegates must send their ID data."),
    ({"transport": "helicopter"}, "Not a valid choice."),
])
def test_invalid_visit_is_refused(app, client, hosted, overrides, message):
    response = client.post_form(f"/manage/meetings/{hosted.slug}/visits/new", visit_form(hosted, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'value="Boat tour of the port"' in response.get_data(as_text=True)
    assert count(app, FieldVisit) == 0


def test_visit_of_another_meeting_is_not_reachable_through_this_one(client, hosted, make_meeting, make_visit):
    other_visit = make_visit(make_meeting())
    assert client.get(f"/manage/meetings/{hosted.slug}/visits/{other_visit.id}/edit").status_code == 404
