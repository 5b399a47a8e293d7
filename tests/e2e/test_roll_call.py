"""The field-visit roll call in a real Chromium at phone size: marks made with no network wait on the
phone and reach the server when it is back, a second guide's phone sees them, and a badge's QR code
(a picture of the real badge PDF) is decoded in the browser and marks its delegate."""
import re
import subprocess
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from portmeet.extensions import db
from portmeet.meetings import service as meetings
from portmeet.registration import service as registrations
from portmeet.registration.models import BookingStatus
from portmeet.timeutil import utcnow
from tests.e2e.checks import check_page, sign_in
from tests.e2e.live_server import ORGANISER
from tests.e2e.seed import served_database

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-b")]

SLUG = "roll-call-e2e"
PEOPLE = [("Ana", "Abad"), ("Bruno", "Bono"), ("Carla", "Cruz"), ("Dario", "Duarte"), ("Elena", "Esteban"),
          ("Fiona", "Flores"), ("Gustav", "García"), ("Wim", "Waiter")]  # the last one waits for a place


@pytest.fixture(scope="module")
def boat(live_server):
    """A meeting with a boat visit, seven delegates booked on it and one waiting, registered through
    the real rules straight into the served database."""
    with served_database(live_server):
        start = utcnow().date() + timedelta(days=3)
        meeting = meetings.create_meeting({
            "title": "Roll call meeting", "edition": 9, "slug": SLUG, "city": "Valencia", "country": "ES",
            "venue": "Port Center", "start_date": start, "end_date": start, "timezone": "Europe/Madrid",
            "description": "", "host_organisation": "Valencia Port Authority", "contact_email": "c@e2e.example",
            "registration_opens": None, "registration_closes": None, "capacity": 50, "status": "published",
        })
        db.session.flush()
        visit = meetings.save_visit(meeting, {
            "title": "Port tour by boat", "description": "", "day": start, "start_time": time(15),
            "end_time": time(17), "meeting_point": "Pier 3", "transport": "boat", "capacity": 10,
            "requires_id": False, "id_deadline": None,
        })
        db.session.flush()
        ids = {}
        for n, (first, last) in enumerate(PEOPLE):
            registration, _token = registrations.register(meeting, {
                "first_name": first, "last_name": last, "badge_name": "", "email": f"roll{n}@e2e.example",
                "organisation": "Port of Valencia", "job_title": "", "country": "ES", "phone": "",
                "category": "delegate", "dietary": "", "accessibility": "", "consent_list": True,
                "visits": [visit.id],
            })
            db.session.flush()
            ids[last] = registration.id
        registration.bookings[0].status = BookingStatus.waitlisted
        visit_id = visit.id
    return f"/manage/meetings/{SLUG}/visits/{visit_id}/boarding", ids


def row(page, last_name: str):
    return page.locator(".roll-row", has_text=last_name)


def tap(page, last_name: str) -> None:
    page.get_by_role("button", name=re.compile(f"^Mark on board: {last_name},")).click()


def server_boarded(page, url: str) -> set[int]:
    """Booking ids the server holds as on board (read with the guide's own session)."""
    state = page.request.get(url + "/state.json").json()
    return {booking["id"] for booking in state["bookings"] if booking["boarded"]}


def page_requests(live_server, url: str) -> int:
    """How many times the server was asked for the roll-call page itself (its request log)."""
    return live_server.log.read_text().count(f"GET {url} ")


def test_roll_call_on_a_phone_offline_two_guides_and_a_badge_scan(new_page, live_server, boat, tmp_path):
    url, ids = boat
    guide = new_page("phone")
    sign_in(guide, ORGANISER[0], ORGANISER[2])
    guide.goto(url)
    guide.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(guide.locator("#roll-call")).to_have_attribute("data-offline-ready", "y")  # the page is cached
    expect(guide.locator('.for-board [data-count="booked"]')).to_have_text("7")
    check_page(guide, "boarding")

    for last in ("Abad", "Bono", "Cruz"):
        tap(guide, last)
        expect(row(guide, last)).to_have_class(re.compile("is-boarded"))
    status = guide.locator("#roll-sync")
    expect(status).to_have_text("")  # all three sent
    assert len(server_boarded(guide, url)) == 3

    other = new_page("desktop")  # a second guide, on a laptop
    sign_in(other, ORGANISER[0], ORGANISER[2])
    other.goto(url)
    expect(other.locator("#roll-call")).to_have_attribute("data-offline-ready", "y")
    for last in ("Abad", "Bono", "Cruz"):
        expect(row(other, last)).to_have_class(re.compile("is-boarded"))

    guide.context.set_offline(True)
    for last in ("Duarte", "Esteban"):
        tap(guide, last)
    expect(status).to_contain_text("2 marks waiting to be sent")
    expect(guide.locator('.for-board [data-count="on_board"]')).to_have_text("5")
    expect(guide.locator('.for-board [data-count="missing"]')).to_have_text("2")
    check_page(guide, "boarding-offline")

    # Still offline, the page opens again from the service worker, with the marks waiting on the phone.
    asked = page_requests(live_server, url)
    guide.reload()
    expect(status).to_contain_text("2 marks waiting to be sent")
    expect(row(guide, "Esteban")).to_have_class(re.compile("is-boarded"))
    assert page_requests(live_server, url) == asked  # the server never saw that reload

    guide.context.set_offline(False)
    expect(status).to_have_text("")
    assert len(server_boarded(guide, url)) == 5
    for last in ("Duarte", "Esteban"):  # seen by the second guide's polling, without reloading
        expect(row(other, last)).to_have_class(re.compile("is-boarded"))
    expect(other.locator('.for-board [data-count="on_board"]')).to_have_text("5")
    # A waiting delegate: "Board anyway" shows only once the row is opened.
    other.locator("details summary", has_text="Waiter").click()
    expect(other.get_by_role("button", name=re.compile("^Board anyway.*Wim Waiter"))).to_be_visible()
    check_page(other, "boarding-marked")

    # A badge: the real A6 badge PDF, as a picture, decoded in the browser.
    badge = guide.request.get(f"/manage/meetings/{SLUG}/badges.pdf?layout=a6&status=all&ids={ids['Flores']}")
    assert badge.ok
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(badge.body())
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "badge")], check=True)
    guide.set_input_files("#badge-photo", str(tmp_path / "badge.png"))
    expect(status).to_contain_text("Fiona Flores is on board.")
    expect(row(guide, "Flores")).to_have_class(re.compile("is-boarded"))
    expect(status).not_to_contain_text("waiting")
    assert len(server_boarded(guide, url)) == 6
    assert guide.csp_violations == [] and other.csp_violations == []
