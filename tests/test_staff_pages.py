"""Staff pages speak of the delegate, chart days and count headings read right in French and Spanish."""
import html
import re
from datetime import datetime, timedelta

from babel.dates import format_skeleton

from portmeet.timeutil import utcnow
from tests.test_registration import page_text


def speaking(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_staff_forms_speak_of_the_delegate_not_of_you(client, organiser, make_meeting, make_registration):
    meeting = make_meeting()
    registration = make_registration(meeting)
    client.login(organiser.email)
    for url in (f"/manage/meetings/{meeting.slug}/registrations/{registration.id}/edit",
                f"/manage/meetings/{meeting.slug}/checkin/walk-in"):
        page = page_text(client.get(url))
        assert "The delegate" in page and "About you" not in page, url
    client.post_form("/logout")
    assert "About you" in page_text(client.get(f"/meetings/{meeting.slug}/register"))


def test_chart_days_are_in_the_pages_language(app, client, organiser, make_meeting, make_registration):
    meeting = make_meeting()
    day = utcnow().date() - timedelta(days=3)
    make_registration(meeting, created_at=datetime.combine(day, datetime.min.time()).replace(hour=12))
    client.login(organiser.email)
    for language in ("fr", "es"):
        page = html.unescape(speaking(client, language).get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True))
        labels = re.findall(r'<text class="tick" [^>]*text-anchor="middle"[^>]*>([^<]+)</text>', page)
        days = {format_skeleton("MMMd", utcnow().date() - timedelta(days=n), locale=language) for n in range(40)}
        assert labels and set(labels) <= days, (language, labels)
        assert "Running total" not in page


def test_count_headings_are_plural_in_spanish_and_french(client, organiser, make_meeting, make_visit,
                                                         make_registration):
    meeting = make_meeting()
    visit = make_visit(meeting)
    make_registration(meeting, visits=(visit,))
    client.login(organiser.email)
    spanish = page_text(speaking(client, "es").get(f"/manage/meetings/{meeting.slug}/registrations"))
    assert "Confirmadas:" in spanish and "Confirmada:" not in spanish
    roster = page_text(speaking(client, "es").get(f"/manage/meetings/{meeting.slug}/visits/{visit.id}/"))
    assert "Participantes inscritos (1)" in roster
    dashboard = page_text(speaking(client, "es").get(f"/manage/meetings/{meeting.slug}/"))
    assert "Confirmados" in dashboard
    french = page_text(speaking(client, "fr").get(f"/manage/meetings/{meeting.slug}/registrations"))
    assert "Confirmées" in french
