"""After the visit: the manifest (PDF and CSV) shows when each delegate boarded and came back; the
dashboard shows the no-shows of each visit whose roll call has begun."""
import csv
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, VisitBooking
from tests.documents_support import pdf_text, read_pdf


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(timezone="Europe/Madrid")


@pytest.fixture
def host(client, make_user, meeting):
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    return client


@pytest.fixture
def boat(app, meeting, make_visit, make_registration):
    """Three booked and one waiting: Abad boarded 15:02 and came back 17:10 (Madrid time, UTC+1 in
    winter, stored in UTC), Bono boarded 15:05 and is still out, Cruz never came."""
    visit = make_visit(meeting, title="Port tour by boat", capacity=3)
    people = {name: make_registration(meeting, (visit,), last_name=name) for name in ("Abad", "Bono", "Cruz")}
    waiting = make_registration(meeting, last_name="Waiter")
    marks = {"Abad": (datetime(2030, 1, 10, 14, 2), datetime(2030, 1, 10, 16, 10)),
             "Bono": (datetime(2030, 1, 10, 14, 5), None)}
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=visit.id, status=BookingStatus.waitlisted))
        for name, (boarded, returned) in marks.items():
            booking = db.session.scalar(select(VisitBooking).where(VisitBooking.registration_id == people[name].id))
            booking.boarded_at, booking.returned_at = boarded, returned
        db.session.commit()
    return visit


def test_manifest_pdf_shows_boarded_and_returned_times(host, meeting, boat):
    text = pdf_text(read_pdf(host.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.pdf")))
    assert "On board" in text and "Back" in text
    assert re.search(r"Abad, Delegate.*15:02.*17:10", text.replace("\n", " "))
    assert re.search(r"Bono, Delegate.*15:05", text.replace("\n", " "))
    assert "Went on board: 2" in text and "Back ashore: 1" in text


def test_manifest_csv_has_boarded_and_returned_columns(host, meeting, boat):
    response = host.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.csv")
    rows = {row["last name"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}
    assert (rows["Abad"]["boarded at"], rows["Abad"]["returned at"]) == ("2030-01-10 15:02", "2030-01-10 17:10")
    assert (rows["Bono"]["boarded at"], rows["Bono"]["returned at"]) == ("2030-01-10 15:05", "")
    assert rows["Cruz"]["boarded at"] == "" and rows["Waiter"]["boarded at"] == ""


def test_dashboard_shows_no_shows_per_visit_once_the_roll_call_began(host, meeting, boat, make_visit):
    make_visit(meeting, title="Museum", start_time=boat.end_time, end_time=boat.end_time.replace(hour=19))
    html = host.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    row = re.search(rf'<tr id="dashboard-visit-{boat.id}">.*?</tr>', html, re.S).group(0)
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', row)
    assert cells[-2:] == ["2", "1"]  # on board, no-shows
    assert "No-shows" in html
    assert f"/visits/{boat.id}/boarding" in row


def test_dashboard_has_no_no_show_column_before_any_roll_call(host, meeting, make_visit, make_registration):
    visit = make_visit(meeting)
    make_registration(meeting, (visit,))
    html = host.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "No-shows" not in html
