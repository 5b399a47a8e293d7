"""Organisers' programme and times: one time order for sessions and visits, no live counts on paper, and
every time shown in the meeting's own zone, said once."""
from datetime import datetime, time

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.meetings.models import Transport
from portmeet.registration.models import Registration
from tests.test_registration import page_text


def test_sessions_and_visits_share_one_time_order_on_the_page_and_the_pdf(client, make_meeting, make_session,
                                                                          make_visit, make_registration):
    meeting = make_meeting()
    make_session(meeting, title="Afternoon debate", start_time=time(15), end_time=time(16, 30))
    make_session(meeting, title="Opening plenary", start_time=time(9), end_time=time(10, 30))
    bus = make_visit(meeting, title="Bus to the logistics zone", transport=Transport.bus, start_time=time(10, 45),
                     end_time=time(13), capacity=2)
    make_registration(meeting, visits=(bus,))
    make_registration(meeting, visits=(bus,))
    order = ("Opening plenary", "Bus to the logistics zone", "Afternoon debate")

    page = page_text(client.get(f"/meetings/{meeting.slug}/"))
    assert [page.index(title) for title in order] == sorted(page.index(title) for title in order)
    assert "0 of 2 places left" in page or "Full" in page  # live places stay on the web page

    content = pdf_text(read_pdf(client.get(f"/meetings/{meeting.slug}/programme.pdf")))
    assert [content.index(title) for title in order] == sorted(content.index(title) for title in order)
    assert "places left" not in content and "Full" not in content and "of 2" not in content


def test_times_on_staff_pages_are_in_the_meetings_zone_and_labelled_once(app, client, organiser, make_meeting,
                                                                         make_registration):
    meeting = make_meeting(timezone="Asia/Jerusalem", city="Ashdod")
    registration = make_registration(meeting, first_name="Noa", last_name="Levi",
                                     created_at=datetime(2026, 7, 1, 12, 34))  # 15:34 in Ashdod (UTC+3)
    with app.app_context():
        db.session.get(Registration, registration.id).checked_in_at = datetime(2026, 7, 2, 6, 5)  # 09:05 local
        db.session.commit()
    client.login(organiser.email)
    label = "All times are local time in Ashdod (Asia/Jerusalem)."
    detail = page_text(client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}"))
    assert "15:34" in detail and "12:34" not in detail and "UTC" not in detail
    assert "09:05" in detail and detail.count(label) == 1
    table = page_text(client.get(f"/manage/meetings/{meeting.slug}/registrations"))
    assert "15:34" in table and "12:34" not in table and table.count(label) == 1
    desk = page_text(client.get(f"/manage/meetings/{meeting.slug}/checkin?q=Levi"))
    assert "09:05" in desk and desk.count(label) == 1
