"""Every manage URL: anonymous users are sent to sign in; hosts of another meeting get 404."""
import pytest

MANAGE_GET_URLS = [
    "/manage/meetings/{slug}/",
    "/manage/meetings/{slug}/edit",
    "/manage/meetings/{slug}/sessions/new",
    "/manage/meetings/{slug}/sessions/{session_id}/edit",
    "/manage/meetings/{slug}/visits/new",
    "/manage/meetings/{slug}/visits/{visit_id}/edit",
]
MANAGE_POST_URLS = [
    "/manage/meetings/{slug}/edit",
    "/manage/meetings/{slug}/sessions/new",
    "/manage/meetings/{slug}/sessions/{session_id}/delete",
    "/manage/meetings/{slug}/visits/{visit_id}/delete",
    "/manage/meetings/{slug}/hosts",
]


@pytest.fixture
def meeting_b(make_meeting, make_session, make_visit):
    meeting = make_meeting(title="Meeting B")
    return meeting, make_session(meeting), make_visit(meeting)


def urls(templates, meeting_b):
    meeting, session, visit = meeting_b
    return [t.format(slug=meeting.slug, session_id=session.id, visit_id=visit.id) for t in templates]


def test_anonymous_is_sent_to_sign_in(client, meeting_b):
    for url in urls(MANAGE_GET_URLS, meeting_b) + ["/manage/", "/manage/meetings/new", "/manage/accounts"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_host_of_another_meeting_gets_404(client, make_meeting, make_user, meeting_b):
    meeting_a = make_meeting(title="Meeting A")
    client.login(make_user(hosts=(meeting_a,)).email)
    assert client.get(f"/manage/meetings/{meeting_a.slug}/").status_code == 200
    for url in urls(MANAGE_GET_URLS, meeting_b):
        assert client.get(url).status_code == 404, url
    for url in urls(MANAGE_POST_URLS, meeting_b):
        assert client.post_form(url, {"title": "hijacked"}).status_code == 404, url
    assert "Meeting B" not in client.get("/manage/").get_data(as_text=True)


def test_organiser_manages_every_meeting(client, organiser, meeting_b):
    client.login(organiser.email)
    for url in urls(MANAGE_GET_URLS, meeting_b):
        assert client.get(url).status_code == 200, url
