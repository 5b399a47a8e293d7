"""The registration form's fixed fields are rendered once per language and reused (portmeet/fragments.py), and
so is the whole page a stranger first opens (registration/form_page.py): the page a delegate gets is the same
as rendered afresh, in their language, and a form holding a delegate's data or errors is never served from
(nor put into) the cache."""
import re

import pytest

from portmeet import fragments
from portmeet.registration import form_page
from portmeet.meetings.models import MeetingStatus
from tests.test_registration import form_data

TOKENS = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf-token" content=")[^"]+"')


def page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return TOKENS.sub(r"\1…", response.get_data(as_text=True))


@pytest.fixture
def no_cache(app, monkeypatch):
    def disable():
        monkeypatch.setitem(app.jinja_env.globals, "fragment", lambda key, caller: caller())
        monkeypatch.setattr(form_page, "servable", lambda: False)
    return disable


def test_a_fresh_form_from_the_cache_is_the_page_rendered_afresh_in_each_language(client, make_meeting, make_visit,
                                                                                  no_cache):
    fragments._fragments.clear()
    meeting = make_meeting(status=MeetingStatus.published)
    make_visit(meeting, title="Container terminal by boat", requires_id=True)
    url = f"/meetings/{meeting.slug}/register"
    cached = {language: [page(client, url, headers={"Accept-Language": language}) for _ in range(2)]
              for language in ("en", "fr", "es")}
    # Three parts of the form (with the partners' rows) and the whole page, in three languages.
    assert len([key for key in fragments._fragments if key[0] in ("fragment", "registration-page")]) == 12
    no_cache()
    for language, (first, second) in cached.items():
        assert first == second == page(client, url, headers={"Accept-Language": language})
    assert "About you" in cached["en"][0] and "À propos de vous" in cached["fr"][0]
    assert "Container terminal by boat" in cached["en"][0]  # the visit needing ID data, named in its hint
    assert "(acompañante 2)" in cached["es"][0]  # the partners' rows, in the page's language


def test_a_form_sent_back_with_errors_shows_the_delegates_own_data(client, make_meeting):
    fragments._fragments.clear()
    meeting = make_meeting(status=MeetingStatus.published)
    url = f"/meetings/{meeting.slug}/register"
    page(client, url)
    cached = dict(fragments._fragments)
    response = client.post_form(url, form_data(first_name="", job_title="Harbour <master>", accessibility="Ramp"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'value="Harbour &lt;master&gt;"' in text and "Ramp</textarea>" in text
    assert 'id="first_name-error"' in text
    assert fragments._fragments == cached  # nothing of hers was kept
    assert 'value="Harbour' not in page(client, url)


def test_a_partner_sent_back_with_errors_is_shown_and_kept_out_of_the_cache(client, make_meeting):
    fragments._fragments.clear()
    meeting = make_meeting(status=MeetingStatus.published)
    url = f"/meetings/{meeting.slug}/register"
    fresh = page(client, url)
    cached = dict(fragments._fragments)
    response = client.post_form(url, form_data(**{"companions-0-first_name": "Ane", "companions-0-last_name": "",
                                                  "companions-0-dietary": "No <shellfish>"}))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'value="Ane"' in text and "No &lt;shellfish&gt;</textarea>" in text
    assert 'id="companions-0-last_name-error"' in text
    assert "<details class=\"companions\" open>" in text  # opened on what she typed
    assert fragments._fragments == cached
    assert page(client, url) == fresh
