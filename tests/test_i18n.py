"""The language of the page: the user's choice, else the browser's, else the meeting's default."""
from datetime import date

from portmeet.meetings.models import MeetingStatus


def test_language_order_choice_then_browser_then_meeting_default(client, make_meeting):
    meeting = make_meeting(language="es", start_date=date(2031, 10, 24), title="Reunión portuaria",
                           status=MeetingStatus.published)
    url = f"/meetings/{meeting.slug}/"
    assert 'lang="es"' in client.get(url).get_data(as_text=True)  # no preference: the meeting's language
    page = client.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert 'lang="fr"' in page and "24–25 octobre 2031" in page  # the browser wins over the meeting
    client.post_form("/language", {"lang": "en", "next": url})
    page = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="en"' in page  # the user's choice wins over the browser


def test_dates_and_country_names_follow_the_language(client, make_meeting):
    meeting = make_meeting(start_date=date(2031, 10, 24), country="BE", city="Antwerpen")
    page = client.get(f"/meetings/{meeting.slug}/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "24–25 de octubre de 2031" in page
    assert "Bélgica" in page


def test_language_choice_only_redirects_inside_the_site(client):
    response = client.post_form("/language", {"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_browser_asking_for_none_of_our_languages_gets_the_meetings_then_the_registrations(client, make_meeting):
    from tests.test_registration import register, token_of

    meeting = make_meeting(language="fr", status=MeetingStatus.published)
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    assert 'lang="fr"' in client.get(f"/meetings/{meeting.slug}/", headers=german).get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    token = token_of(register(client, meeting, email="lucia@example.org", first_name="Lucía"))
    del client.environ_base["HTTP_ACCEPT_LANGUAGE"]
    page = client.get(f"/registrations/{token}", headers=german).get_data(as_text=True)
    assert 'lang="es"' in page and "Mi inscripción" in page  # the private page: the language they registered in
