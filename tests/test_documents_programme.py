"""The programme (PDF and iCalendar) and a delegate's personal itinerary."""
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from documents_support import nfc, pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.meetings.models import MeetingStatus, SessionKind
from portmeet.registration.models import BookingStatus, RegistrationStatus, VisitBooking


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-haifa-2031", title="Citizen Port Meeting Haifa", timezone="Asia/Jerusalem",
                        city="Haifa", country="IL")


@pytest.fixture
def programme(meeting, make_session, make_visit):
    """Sessions added out of order, over both days, and two field visits."""
    second_day = meeting.start_date + timedelta(days=1)
    make_session(meeting, day=second_day, start_time=time(9), end_time=time(10), title="Closing debate",
                 kind=SessionKind.debate)
    make_session(meeting, start_time=time(14), end_time=time(15, 30), title="Workshop on port centres",
                 kind=SessionKind.workshop, speakers=[("שרה כהן", "Haifa Port", "IL"), ("Ελένη Π.", "OLP", "GR")])
    make_session(meeting, start_time=time(9, 30), end_time=time(10, 30), title="Opening plenary", room="Hall A")
    make_session(meeting, start_time=time(11), end_time=time(11, 30), title="Coffee", kind=SessionKind.break_)
    boat = make_visit(meeting, title="Port tour by boat", start_time=time(16), end_time=time(18),
                      meeting_point="Pier 3")
    museum = make_visit(meeting, title="Maritime museum", day=second_day, start_time=time(14),
                        end_time=time(16), meeting_point="Museum gate", capacity=1)
    return boat, museum


def test_programme_pdf_lists_sessions_in_time_order(client, meeting, programme):
    response = client.get(f"/meetings/{meeting.slug}/programme.pdf")
    reader = read_pdf(response)
    text = pdf_text(reader)
    titles = ["Opening plenary", "Coffee", "Workshop on port centres", "Port tour by boat", "Closing debate",
              "Maritime museum", "Practical information"]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "09:30–10:30" in text and "Hall A" in text and "Meeting point: Pier 3" in text
    # A speaker's Hebrew name, then organisation and country (pypdf reads the comma at the run's edge).
    assert nfc("שרה כהן") in text and "Haifa Port (Israel)" in text and "Ελένη Π., OLP (Greece)" in text
    assert "Local time in Haifa (Asia/Jerusalem)" in text
    assert reader.metadata.title == "Programme · Citizen Port Meeting Haifa"
    assert "filename=cpm-haifa-2031-programme.pdf" in response.headers["Content-Disposition"]


def test_programme_calendar_parses_back_with_every_event_in_the_meeting_time_zone(client, meeting, programme):
    response = client.get(f"/meetings/{meeting.slug}/programme.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "filename=cpm-haifa-2031-programme.ics" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 6  # four sessions, two field visits
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jerusalem"]
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Asia/Jerusalem"
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    opening = next(e for e in events if str(e["SUMMARY"]) == "Opening plenary")
    start = opening.decoded("DTSTART")
    assert (start.date(), start.time()) == (meeting.start_date, time(9, 30))
    assert start.utcoffset() == start.astimezone(ZoneInfo("Asia/Jerusalem")).utcoffset()
    assert len({str(e["UID"]) for e in events}) == 6


def test_unpublished_meeting_has_no_public_programme(client, make_meeting):
    draft = make_meeting(status=MeetingStatus.draft)
    for suffix in ("programme.pdf", "programme.ics", "participants"):
        assert client.get(f"/meetings/{draft.slug}/{suffix}").status_code == 404


def test_itinerary_marks_the_delegates_own_visits(app, client, meeting, programme, make_registration):
    boat, museum = programme
    registration = make_registration(meeting, first_name="יעל", last_name="לוי", visits=(boat,))
    with app.app_context():
        db.session.add(VisitBooking(registration_id=registration.id, visit_id=museum.id,
                                    status=BookingStatus.waitlisted))
        db.session.commit()
    response = client.get(f"/registrations/{registration.token}/itinerary.pdf")
    reader = read_pdf(response)
    text = pdf_text(reader)
    assert nfc("יעל לוי") in text
    assert text.upper().split("PORT TOUR BY BOAT")[0].endswith("YOUR FIELD VISIT ")
    assert "WAITING LIST, POSITION 1" in text.upper().split("MARITIME MUSEUM")[0].split("PORT TOUR BY BOAT")[1]
    assert "Meeting point: Pier 3" in text and "Show this code at the check-in desk" in " ".join(text.split())
    positions = [text.index(title) for title in ("Opening plenary", "Port tour by boat", "Closing debate")]
    assert positions == sorted(positions)
    assert "filename=cpm-haifa-2031-itinerary.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_itinerary_leaves_out_visits_the_delegate_did_not_pick(client, meeting, programme, make_registration):
    registration = make_registration(meeting)
    text = pdf_text(read_pdf(client.get(f"/registrations/{registration.token}/itinerary.pdf")))
    assert "Opening plenary" in text and "Port tour by boat" not in text


def test_itinerary_needs_a_live_private_link(client, meeting, make_registration):
    cancelled = make_registration(meeting, status=RegistrationStatus.cancelled)
    assert client.get(f"/registrations/{cancelled.token}/itinerary.pdf").status_code == 404
    assert client.get("/registrations/not-a-token/itinerary.pdf").status_code == 404
