"""Smaller controls of issue 10: no-store on personal data, absurd ids answered 404/400, the public form's
categories."""
import pytest

from tests.test_registration import register


def test_personal_data_is_never_stored_by_a_browser_or_proxy(app, client, make_meeting, make_registration,
                                                             organiser):
    meeting = make_meeting()
    registration = make_registration(meeting)
    assert client.get(f"/registrations/{registration.token}").headers["Cache-Control"] == "no-store"
    client.login(organiser.email)
    for path in (f"/manage/meetings/{meeting.slug}/registrations.csv",
                 f"/manage/meetings/{meeting.slug}/registrations/{registration.id}",
                 f"/manage/meetings/{meeting.slug}/registrations"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"], path


@pytest.mark.parametrize("path, status", [
    ("/manage/meetings/{slug}/registrations/99999999999999999999", 404),
    ("/manage/meetings/{slug}/registrations/2147483648", 404),
    ("/manage/meetings/{slug}/visits/99999999999999999999/manifest.pdf", 404),
    ("/manage/meetings/{slug}/registrations?visit=99999999999999999999", 400),
    ("/manage/meetings/{slug}/registrations.csv?visit=99999999999999999999", 400),
    ("/manage/meetings/{slug}/registrations?visit=abc", 400),
])
def test_absurd_ids_are_answered_404_or_400_never_500(client, make_meeting, organiser, path, status):
    meeting = make_meeting()
    client.login(organiser.email)
    assert client.get(path.format(slug=meeting.slug)).status_code == status


def test_public_form_offers_only_delegate_and_accompanying(app, client, make_meeting):
    meeting = make_meeting()
    page = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    assert 'value="delegate"' in page and 'value="accompanying"' in page
    for staff_only in ("organiser", "host", "press", "speaker"):
        assert f'<option value="{staff_only}"' not in page
    response = register(client, meeting, category="organiser")
    assert response.status_code == 400


def test_staff_still_set_any_category(app, client, make_meeting, make_registration, organiser):
    meeting = make_meeting()
    registration = make_registration(meeting)
    client.login(organiser.email)
    page = client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}/edit").get_data(as_text=True)
    assert '<option value="speaker"' in page and '<option value="press"' in page


def test_a_speaker_set_by_staff_keeps_the_category_when_editing_their_own_page(app, client, make_meeting,
                                                                             make_registration):
    from portmeet.registration.models import Category

    meeting = make_meeting()
    registration = make_registration(meeting, category=Category.speaker)
    page = client.get(f"/registrations/{registration.token}/edit").get_data(as_text=True)
    assert '<option selected value="speaker"' in page or 'value="speaker" selected' in page
    assert '<option value="press"' not in page
