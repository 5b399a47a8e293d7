"""The registration form a stranger opens is kept rendered (registration/form_page.py), keyed by the meeting's
content version (meetings/versions.py): each stranger still gets their own CSRF token and the places left as
they are now, and a host's change, made on any worker, shows at the next request."""
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from config import TestConfig
from portmeet import create_app, fragments
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus, ProgrammeSession, SessionKind
from portmeet.questions.models import Question
from tests.conftest import CSRF_META, ON_POSTGRES, POSTGRES_URL, FormClient
from tests.test_registration import form_data, page_text, token_of

START = date.today() + timedelta(days=30)
FORM_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def kept_pages(meeting) -> int:
    return sum(1 for key in fragments._fragments if key[:3] == ("registration-page", meeting.id, meeting.created_at))


def form_page(client, meeting) -> str:
    response = client.get(f"/meetings/{meeting.slug}/register")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_places_left_are_counted_at_each_request_from_the_kept_page(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    visit = make_visit(meeting, title="Container terminal by boat", capacity=2)
    assert "Places left: 2 of 2" in page_text(client.get(f"/meetings/{meeting.slug}/register"))
    french = app.test_client().get(f"/meetings/{meeting.slug}/register", headers={"Accept-Language": "fr"})
    assert "Places restantes : 2 sur 2" in page_text(french)  # filled in the page's language
    for number in (1, 2):
        token_of(client.post_form(f"/meetings/{meeting.slug}/register",
                                  form_data(email=f"delegate{number}@example.org", visits=[visit.id])))
        stranger = app.test_client()
        text = page_text(stranger.get(f"/meetings/{meeting.slug}/register"))
        assert ("Places left: 1 of 2" if number == 1 else "Full: a new pick joins the waitlist") in text
    assert kept_pages(meeting) == 2  # one page per language, its places filled in afresh each time


def test_each_stranger_gets_a_token_of_their_own_and_registers_with_it(app, make_meeting, make_visit):
    meeting = make_meeting()
    make_visit(meeting)
    tokens = []
    for number in (1, 2):
        browser = app.test_client()
        page = form_page(browser, meeting)
        [form_token] = set(FORM_TOKEN.findall(page))  # the registration form's and the language form's
        assert CSRF_META.search(page).group(1) == form_token
        tokens.append(form_token)
        response = browser.post(f"/meetings/{meeting.slug}/register",
                                data={**form_data(email=f"stranger{number}@example.org"), "csrf_token": form_token})
        token_of(response)
    assert tokens[0] != tokens[1]
    assert kept_pages(meeting) == 1
    refused = app.test_client().post(f"/meetings/{meeting.slug}/register",
                                     data={**form_data(email="stranger3@example.org"), "csrf_token": tokens[0]})
    assert refused.status_code == 400  # a token belongs to its own browser's session


def test_a_full_meeting_is_said_on_the_kept_page_and_offers_the_waiting_list(app, client, make_meeting):
    meeting = make_meeting(capacity=1)
    assert "The meeting is full." not in page_text(client.get(f"/meetings/{meeting.slug}/register"))
    token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data()))
    text = page_text(app.test_client().get(f"/meetings/{meeting.slug}/register"))
    assert "The meeting is full." in text and "Join the waiting list" in text


def test_a_signed_in_user_gets_the_page_with_their_own_header(client, make_meeting, make_user):
    meeting = make_meeting()
    stranger_page = page_text(client.get(f"/meetings/{meeting.slug}/register"))
    assert "Sign in" in stranger_page
    host = make_user(hosts=(meeting,))
    client.login(host.email)
    page = page_text(client.get(f"/meetings/{meeting.slug}/register"))
    assert "Sign out ( Hanna Host )" in page and "Sign in" not in page  # the name in its own <bdi>


@pytest.fixture
def other_worker(app, tmp_path):
    """A second app on the same database, as another gunicorn worker or server would be; on SQLite the two share
    a file of their own (an in-memory database is one process's)."""
    url = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.sqlite'}"
    settings = type("SharedDatabase", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    first, second = create_app(settings), create_app(settings)
    first.test_client_class = FormClient
    if not ON_POSTGRES:
        with first.app_context():
            db.create_all()
    yield first, second
    for each in (first, second):
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_change_made_on_another_worker_shows_at_the_next_request(other_worker):
    first, second = other_worker
    with second.app_context():
        meeting = Meeting(title="Citizen Port Meeting Bilbao", slug="bilbao", city="Bilbao", country="ES",
                          start_date=START, end_date=START, timezone="Europe/Madrid", capacity=50,
                          status=MeetingStatus.published)
        visit = FieldVisit(title="Container terminal by boat", day=meeting.start_date, start_time=time(15),
                           end_time=time(17), capacity=20)
        dinner = ProgrammeSession(title="Social dinner", kind=SessionKind.social, day=meeting.start_date,
                                  start_time=time(20), end_time=time(23), capacity=40)
        meeting.visits.append(visit)
        meeting.sessions.append(dinner)
        db.session.add(meeting)
        db.session.commit()
        meeting_id, visit_id, dinner_id = meeting.id, visit.id, dinner.id
    stranger = first.test_client()
    before = page_text(stranger.get("/meetings/bilbao/register"))
    assert "Container terminal by boat" in before and "Places left: 40 of 40" in before

    def on_the_other_worker(change) -> None:
        with second.app_context():
            change()
            db.session.commit()

    on_the_other_worker(lambda: setattr(db.session.get(FieldVisit, visit_id), "title", "Museum of the estuary"))
    assert "Museum of the estuary" in page_text(stranger.get("/meetings/bilbao/register"))
    on_the_other_worker(lambda: db.session.add(Question(meeting_id=meeting_id, label="Arrival flight")))
    assert "Arrival flight" in page_text(stranger.get("/meetings/bilbao/register"))
    on_the_other_worker(lambda: setattr(db.session.get(ProgrammeSession, dinner_id), "capacity", 12))
    assert "Places left: 12 of 12" in page_text(stranger.get("/meetings/bilbao/register"))
    on_the_other_worker(lambda: setattr(db.session.get(Meeting, meeting_id), "city", "Getxo"))
    text = page_text(stranger.get("/meetings/bilbao/register"))
    assert "Getxo" in text and "Museum of the estuary" in text and "Arrival flight" in text


def test_the_content_version_moves_with_the_form_not_with_registrations(app, client, make_meeting, make_visit):
    meeting = make_meeting()
    visit = make_visit(meeting)

    def version() -> int:
        with app.app_context():
            return db.session.scalar(select(Meeting.content_version).where(Meeting.id == meeting.id))

    start = version()
    token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(visits=[visit.id])))
    assert version() == start  # a registration changes places, counted at each request: the page stays kept
    with app.app_context():
        same = db.session.get(FieldVisit, visit.id)
        same.title = same.title  # touched, nothing changed
        db.session.commit()
    assert version() == start
    with app.app_context():
        db.session.get(FieldVisit, visit.id).capacity = 3
        db.session.commit()
    assert version() == start + 1
    with app.app_context():
        db.session.delete(db.session.get(FieldVisit, visit.id))
        db.session.commit()
    assert version() == start + 2


def test_the_kept_page_of_one_url_prefix_is_never_served_under_another(app, make_meeting, monkeypatch):
    """Its links are written with the request's script root: behind a proxy trusted for X-Forwarded-Prefix
    (PROXY_FIX_X_PREFIX), a stranger's header must not choose the links every other stranger is given."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    meeting = make_meeting()
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_prefix=1))  # the app serves later tests too
    poisoned = app.test_client().get(f"/meetings/{meeting.slug}/register",
                                     headers={"X-Forwarded-Prefix": "//evil.example"}).get_data(as_text=True)
    assert 'href="//evil.example/' in poisoned  # that stranger's own page, as they asked for it
    page = form_page(app.test_client(), meeting)
    assert "evil.example" not in page
    assert 'href="/static/css/site.css"' in page
