"""Hosts create and edit meetings; the public sees only published ones."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portmeet.accounts.models import MeetingRole
from portmeet.extensions import db
from portmeet.meetings.models import Meeting, MeetingStatus
from portmeet.timeutil import utcnow

TODAY = utcnow().date()


def meeting_form(**overrides) -> dict:
    start = TODAY + timedelta(days=60)
    data = {
        "title": "Citizen Port Meeting Genoa", "edition": "7", "slug": "", "city": "Genoa", "country": "IT",
        "venue": "Galata Museo del Mare", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=1)).isoformat(), "timezone": "Europe/Rome",
        "description": "Port and city", "host_organisation": "Porto di Genova",
        "contact_email": "cpm@genova.example", "registration_opens": f"{TODAY.isoformat()}T09:00",
        "registration_closes": f"{(start - timedelta(days=2)).isoformat()}T18:00", "capacity": "60",
        "status": "draft",
    }
    data.update(overrides)
    return data


def count_meetings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Meeting.id)))


def test_host_creates_a_meeting_and_becomes_its_host(app, client, make_user):
    host = make_user()
    client.login(host.email)
    response = client.post_form("/manage/meetings/new", meeting_form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/meetings/citizen-port-meeting-genoa/"  # slug from the title
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert (meeting.city, meeting.country, meeting.timezone, meeting.capacity) == ("Genoa", "IT", "Europe/Rome", 60)
        assert meeting.status == MeetingStatus.draft
        assert db.session.scalar(select(MeetingRole.user_id).where(MeetingRole.meeting_id == meeting.id)) == host.id


@pytest.mark.parametrize("overrides, message", [
    ({"end_date": (TODAY + timedelta(days=59)).isoformat()}, "The last day cannot be before the first day."),
    ({"registration_closes": f"{(TODAY + timedelta(days=62)).isoformat()}T10:00"},
     "Registration must close by the end of the meeting."),
    ({"registration_opens": f"{(TODAY + timedelta(days=59)).isoformat()}T10:00"}, "Registration must close after it opens."),
    ({"slug": "Not A Slug!"}, "Use lower-case letters, digits and single hyphens only."),
    ({"capacity": "0"}, "Capacity must be between 1 and 10000."),
    ({"capacity": ""}, "Enter the number of delegates."),
    ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list"),
    ({"country": "XX"}, "Choose a country from the list."),
    ({"title": ""}, "This field is required."),
    ({"start_date": "24/10/2019"}, "Enter a date (YYYY-MM-DD)."),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
])
def test_invalid_meeting_is_refused_with_a_message_and_nothing_saved(app, client, make_user, overrides, message):
    client.login(make_user().email)
    response = client.post_form("/manage/meetings/new", meeting_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'value="Genoa"' in page  # what the host typed is kept
    assert count_meetings(app) == 0


def test_slug_must_be_unique(app, client, make_user, make_meeting):
    make_meeting(slug="cpm-genoa")
    client.login(make_user().email)
    response = client.post_form("/manage/meetings/new", meeting_form(slug="cpm-genoa"))
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    assert count_meetings(app) == 1


def test_host_edits_and_publishes_a_meeting(app, client, make_user, make_meeting, make_session):
    meeting = make_meeting(status=MeetingStatus.draft)
    make_session(meeting)  # the publishing checklist asks for a programme
    client.login(make_user(hosts=(meeting,)).email)
    form_page = client.get(f"/manage/meetings/{meeting.slug}/edit").get_data(as_text=True)
    assert f'value="{meeting.title}"' in form_page
    data = meeting_form(slug=meeting.slug, title="Citizen Port Meeting Bilbao", status="published")
    response = client.post_form(f"/manage/meetings/{meeting.slug}/edit", data)
    assert response.status_code == 303
    assert client.get(f"/meetings/{meeting.slug}/").status_code == 200
    assert "Citizen Port Meeting Bilbao" in client.get("/").get_data(as_text=True)


def test_status_does_not_go_back_to_draft(app, client, organiser, make_meeting):
    meeting = make_meeting(status=MeetingStatus.closed)
    client.login(organiser.email)
    response = client.post_form(f"/manage/meetings/{meeting.slug}/edit", meeting_form(slug=meeting.slug, status="draft"))
    assert response.status_code == 400
    assert "A closed meeting cannot go back to draft." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == MeetingStatus.closed


def test_a_draft_is_not_public(client, make_meeting):
    draft = make_meeting(status=MeetingStatus.draft, title="Secret draft meeting")
    assert client.get(f"/meetings/{draft.slug}/").status_code == 404
    assert "Secret draft meeting" not in client.get("/").get_data(as_text=True)


def test_home_lists_upcoming_meetings_then_past_ones(client, make_meeting):
    make_meeting(title="Antwerp 2016", start_date=TODAY - timedelta(days=400), status=MeetingStatus.archived)
    make_meeting(title="Le Havre 2017", start_date=TODAY - timedelta(days=40), status=MeetingStatus.closed)
    make_meeting(title="Later one", start_date=TODAY + timedelta(days=90))
    make_meeting(title="Sooner one", start_date=TODAY + timedelta(days=20))
    page = client.get("/").get_data(as_text=True)
    order = [page.index(t) for t in ("Upcoming meetings", "Sooner one", "Later one", "Past meetings",
                                     "Le Havre 2017", "Antwerp 2016")]
    assert order == sorted(order)


def test_meeting_page_shows_where_when_and_the_programme_in_local_time(client, make_meeting, make_session, make_visit):
    meeting = make_meeting(city="Ashdod", country="IL", timezone="Asia/Jerusalem", venue="Ashdod Port Center")
    from datetime import time
    make_session(meeting, title="Welcome to Ashdod", start_time=time(9, 30), end_time=time(10, 15),
                 speakers=[("Noa Levi", "Ashdod Port", "IL")])
    make_visit(meeting, title="Container terminal", capacity=12)
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    for expected in ("Ashdod Port Center", "Israel", "Asia/Jerusalem", "09:30", "10:15", "Welcome to Ashdod",
                     "Noa Levi, Ashdod Port (Israel)", "Container terminal", "Places left: 12 of 12"):
        assert expected in page, expected


def test_user_text_is_escaped(client, make_meeting, make_session):
    meeting = make_meeting(title="<script>alert(1)</script>")
    make_session(meeting, title="<img src=x onerror=alert(2)>")
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_meeting_page_offers_the_programme_pdf_calendar_and_participants(client, make_meeting, make_session):
    import re

    meeting = make_meeting()
    make_session(meeting, title="Opening plenary")
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    links = dict((label, href) for href, label in re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', page))
    assert links["Programme (PDF)"] == f"/meetings/{meeting.slug}/programme.pdf"
    assert links["Add to my calendar (.ics)"] == f"/meetings/{meeting.slug}/programme.ics"
    assert links["Participants"] == f"/meetings/{meeting.slug}/participants"
    assert client.get(links["Programme (PDF)"]).data.startswith(b"%PDF")
    assert b"BEGIN:VCALENDAR" in client.get(links["Add to my calendar (.ics)"]).data
    assert client.get(links["Participants"]).status_code == 200
