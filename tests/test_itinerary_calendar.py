"""A delegate's personal calendar (.ics): the programme and only their booked visits, in the meeting's zone."""
import re
from datetime import time, timedelta

import icalendar
import pytest

from portmeet.extensions import db
from portmeet.meetings.models import SessionKind
from portmeet.registration.models import BookingStatus, RegistrationStatus, VisitBooking
from tests.test_registration import register, token_of


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-haifa-2031", title="Citizen Port Meeting Haifa", timezone="Asia/Jerusalem",
                        city="Haifa", country="IL", venue="Port House")


@pytest.fixture
def programme(meeting, make_session, make_visit):
    second_day = meeting.start_date + timedelta(days=1)
    make_session(meeting, start_time=time(9, 30), end_time=time(10, 30), title="Opening plenary", room="Hall A")
    make_session(meeting, day=second_day, start_time=time(9), end_time=time(10), title="Closing debate",
                 kind=SessionKind.debate)
    boat = make_visit(meeting, title="Port tour by boat", start_time=time(16), end_time=time(18),
                      meeting_point="Pier 3, Haifa harbour")
    museum = make_visit(meeting, title="Maritime museum", day=second_day, start_time=time(14), end_time=time(16),
                        meeting_point="Museum gate")
    lab = make_visit(meeting, title="Research laboratory", day=second_day, start_time=time(11), end_time=time(12))
    return boat, museum, lab


def read_calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def test_calendar_holds_the_programme_and_only_the_delegates_booked_visits(app, client, meeting, programme,
                                                                         make_registration):
    boat, museum, _lab = programme
    registration = make_registration(meeting, visits=(boat,))
    with app.app_context():  # waiting for a place on the museum: not in the calendar
        db.session.add(VisitBooking(registration_id=registration.id, visit_id=museum.id,
                                    status=BookingStatus.waitlisted))
        db.session.commit()
    response = client.get(f"/registrations/{registration.token}/itinerary.ics")
    calendar = read_calendar(response)
    assert "filename=cpm-haifa-2031-itinerary.ics" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Opening plenary", "Closing debate", "Port tour by boat"}
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jerusalem"]
    boat_event = events["Port tour by boat"]
    assert str(boat_event["LOCATION"]) == "Pier 3, Haifa harbour"
    assert boat_event["DTSTART"].params["TZID"] == "Asia/Jerusalem"
    start = boat_event.decoded("DTSTART")
    assert (start.date(), start.time(), boat_event.decoded("DTEND").time()) == (meeting.start_date, time(16), time(18))
    assert str(events["Opening plenary"]["LOCATION"]) == "Hall A, Port House, Haifa"
    assert len({str(event["UID"]) for event in events.values()}) == 3


def test_calendar_follows_the_delegates_changes(app, client, meeting, programme, make_registration):
    boat, museum, lab = programme
    registration = make_registration(meeting, visits=(museum, lab))
    calendar = read_calendar(client.get(f"/registrations/{registration.token}/itinerary.ics"))
    titles = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert {"Maritime museum", "Research laboratory"} <= titles and "Port tour by boat" not in titles


def test_calendar_needs_a_live_private_link(client, meeting, make_registration):
    cancelled = make_registration(meeting, status=RegistrationStatus.cancelled)
    assert client.get(f"/registrations/{cancelled.token}/itinerary.ics").status_code == 404
    assert client.get("/registrations/not-a-token/itinerary.ics").status_code == 404


def test_calendar_in_the_delegates_language(client, meeting, programme, make_registration):
    boat, _museum, _lab = programme
    registration = make_registration(meeting, visits=(boat,), language="fr")
    calendar = read_calendar(client.get(f"/registrations/{registration.token}/itinerary.ics"))
    boat_event = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Port tour by boat")
    assert "Point de rendez-vous" in str(boat_event["DESCRIPTION"])


def test_calendar_is_linked_from_the_delegates_page_and_confirmation(client, runner, smtp_server, meeting, programme):
    token = token_of(register(client, meeting, email="ana@example.org", first_name="Ana"))
    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert f'href="/registrations/{token}/itinerary.ics"' in page
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [message] = smtp_server.to("ana@example.org")
    link = re.search(r"http://localhost(/registrations/[\w-]+/itinerary\.ics)", message.get_content()).group(1)
    read_calendar(client.get(link))
