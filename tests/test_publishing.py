"""A host previews a draft, publishes it with the Publish button, and is told what is missing first."""
from datetime import timedelta

import pytest

from portmeet.extensions import db
from portmeet.meetings.models import Meeting, MeetingStatus
from portmeet.timeutil import utcnow


def status_of(app, meeting) -> MeetingStatus:
    with app.app_context():
        return db.session.get(Meeting, meeting.id).status


def test_a_draft_is_previewed_by_its_hosts_and_organisers_only(client, make_user, organiser, make_meeting,
                                                                make_session):
    draft = make_meeting(status=MeetingStatus.draft, title="Genoa draft")
    other = make_meeting(status=MeetingStatus.draft)
    make_session(draft, title="Opening plenary")
    host = make_user(hosts=(draft,))
    stranger = make_user(email="other-host@example.org", hosts=(other,))

    assert client.get(f"/meetings/{draft.slug}/").status_code == 404  # the public
    client.login(stranger.email)
    assert client.get(f"/meetings/{draft.slug}/").status_code == 404  # a host of another meeting
    client.post_form("/logout")
    for user in (host, organiser):
        client.login(user.email)
        response = client.get(f"/meetings/{draft.slug}/")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Genoa draft" in page and "Opening plenary" in page
        assert "draft-banner" in page and "only the people who manage this meeting see this page" in page
        assert "Registration opens to delegates once the meeting is published." in page
        assert f'/meetings/{draft.slug}/register"' not in page
        client.post_form("/logout")
    assert "Genoa draft" not in client.get("/").get_data(as_text=True)


def test_the_manage_page_of_a_draft_offers_a_preview_and_names_what_is_missing(client, make_user, make_meeting):
    draft = make_meeting(status=MeetingStatus.draft, contact_email="", registration_opens=None)
    client.login(make_user(hosts=(draft,)).email)
    page = client.get(f"/manage/meetings/{draft.slug}/").get_data(as_text=True)
    assert "Preview the public page" in page and "Publish the meeting" in page
    for missing in ("Add at least one session to the programme.", "Set when registration opens and when it closes.",
                    "Give a contact e-mail for delegates&#39; questions."):
        assert missing in page


@pytest.mark.parametrize("fields, with_session, missing", [
    ({}, False, "Add at least one session to the programme."),
    ({"contact_email": ""}, True, "Give a contact e-mail for delegates"),
    ({"registration_opens": None}, True, "Set when registration opens and when it closes."),
    ({"registration_closes": None}, True, "Set when registration opens and when it closes."),
    ({"start_date": utcnow().date() - timedelta(days=30), "registration_closes": None}, True,
     "The meeting&#39;s dates are in the past"),
])
def test_publishing_is_refused_with_what_is_missing(app, client, make_user, make_meeting, make_session,
                                                   fields, with_session, missing):
    draft = make_meeting(status=MeetingStatus.draft, **fields)
    if with_session:
        make_session(draft)
    client.login(make_user(hosts=(draft,)).email)
    response = client.post_form(f"/manage/meetings/{draft.slug}/publish")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Not published yet: this draft still needs" in page and missing in page
    assert status_of(app, draft) == MeetingStatus.draft


def test_a_complete_draft_is_published_by_the_button(app, client, make_user, make_meeting, make_session):
    draft = make_meeting(status=MeetingStatus.draft, title="Bilbao 2019")
    make_session(draft)
    client.login(make_user(hosts=(draft,)).email)
    response = client.post_form(f"/manage/meetings/{draft.slug}/publish")
    assert response.status_code == 303
    assert "Published: delegates can now see the meeting and register." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert status_of(app, draft) == MeetingStatus.published
    assert "Meeting published" in client.get(f"/manage/meetings/{draft.slug}/activity").get_data(as_text=True)
    client.post_form("/logout")
    assert client.get(f"/meetings/{draft.slug}/").status_code == 200
    assert "Bilbao 2019" in client.get("/").get_data(as_text=True)


def test_publish_needs_the_csrf_token_and_a_manager(app, client, make_user, make_meeting, make_session):
    draft = make_meeting(status=MeetingStatus.draft)
    make_session(draft)
    assert client.post_form(f"/manage/meetings/{draft.slug}/publish").status_code in (302, 303, 401)
    client.login(make_user(email="stranger@example.org").email)
    assert client.post_form(f"/manage/meetings/{draft.slug}/publish").status_code == 404
    client.post_form("/logout")
    client.login(make_user(hosts=(draft,)).email)
    assert client.post(f"/manage/meetings/{draft.slug}/publish").status_code == 400  # no CSRF token
    assert status_of(app, draft) == MeetingStatus.draft


def test_the_edit_form_applies_the_same_checklist(app, client, make_user, make_meeting):
    from tests.test_meetings import meeting_form

    draft = make_meeting(status=MeetingStatus.draft)
    client.login(make_user(hosts=(draft,)).email)
    response = client.post_form(f"/manage/meetings/{draft.slug}/edit", meeting_form(slug=draft.slug, status="published"))
    assert response.status_code == 400
    assert "Add at least one session to the programme." in response.get_data(as_text=True)
    assert status_of(app, draft) == MeetingStatus.draft


def test_a_new_meeting_starts_as_a_draft(app, client, make_user):
    from tests.test_meetings import meeting_form

    client.login(make_user().email)
    response = client.post_form("/manage/meetings/new", meeting_form(status="published"))
    assert response.status_code == 400
    assert "A new meeting starts as a draft" in response.get_data(as_text=True)
