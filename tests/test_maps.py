"""Finding meeting points: coordinates give an OpenStreetMap link on the pages and a QR code on the itinerary."""
from datetime import time

import icalendar
import pytest

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit

OSM_PIER = "https://www.openstreetmap.org/?mlat=39.444500&amp;mlon=-0.324000#map=17/39.444500/-0.324000"


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-valencia", venue_latitude=39.4602, venue_longitude=-0.3293)


def test_host_gives_coordinates_and_the_pages_link_to_openstreetmap(app, client, make_user, meeting,
                                                                    make_registration):
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    data = {"title": "Port tour by boat", "day": meeting.start_date.isoformat(), "start_time": "15:00",
            "end_time": "17:00", "meeting_point": "Pier 3", "latitude": "39.4445", "longitude": "-0.324",
            "transport": "boat", "capacity": "10"}
    assert client.post_form(f"/manage/meetings/{meeting.slug}/visits/new", data).status_code == 303
    with app.app_context():
        visit = db.session.scalar(db.select(FieldVisit))
        assert (visit.latitude, visit.longitude) == (39.4445, -0.324)
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert f'href="{OSM_PIER}"' in page
    assert "mlat=39.460200&amp;mlon=-0.329300" in page  # the venue


@pytest.mark.parametrize("latitude, longitude, message", [
    ("91", "0", "between -90 and 90"), ("0", "200", "between -180 and 180"),
    ("39.4", "", "both the latitude and the longitude"), ("north", "0", "Not a valid decimal value"),
])
def test_coordinates_out_of_range_are_refused(app, client, make_user, meeting, latitude, longitude, message):
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    data = {"title": "Museum", "day": meeting.start_date.isoformat(), "start_time": "10:00", "end_time": "12:00",
            "latitude": latitude, "longitude": longitude, "transport": "walk", "capacity": "10"}
    response = client.post_form(f"/manage/meetings/{meeting.slug}/visits/new", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(FieldVisit)) is None


def test_itinerary_prints_a_qr_code_to_the_meeting_point_and_the_calendar_its_position(client, meeting, make_visit,
                                                                                       make_registration):
    boat = make_visit(meeting, title="Port tour by boat", latitude=39.4445, longitude=-0.324,
                      start_time=time(15), end_time=time(17))
    registration = make_registration(meeting, visits=(boat,))
    response = client.get(f"/registrations/{registration.token}/itinerary.pdf")
    reader = read_pdf(response)
    text = " ".join(pdf_text(reader).split())
    assert "Meeting point on OpenStreetMap" in text and "The venue on OpenStreetMap" in text
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 3  # the check-in code, the meeting point and the venue
    calendar = icalendar.Calendar.from_ical(client.get(f"/registrations/{registration.token}/itinerary.ics").data)
    event = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Port tour by boat")
    assert (event["GEO"].latitude, event["GEO"].longitude) == (39.4445, -0.324)
