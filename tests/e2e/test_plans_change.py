"""When plans change, in a real browser: a host raises a full boat visit from 2 to 4 places and the two
oldest waiting get them (with an e-mail carrying their link), moves the bus by an hour with "notify"
ticked, writes to everyone on the boat and finds the message in the log, and a delete asks first.

The meeting and its delegates are set up through the app's services (test_journey builds a meeting and
registers delegates through the pages). E-mails are read from the live server's outbox (its SQLite file):
what the sender would deliver.
"""
import re
import sqlite3
from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portmeet.accounts.models import User
from portmeet.extensions import db
from portmeet.meetings import service as meetings
from portmeet.registration import service as registrations
from tests.e2e.checks import check_page, check_page_at_both_widths, sign_in
from tests.e2e.live_server import HOST, ORGANISER
from tests.e2e.seed import served_database
from tests.e2e.test_journey import FIRST_DAY, VISIT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]

SLUG = "plans-change-bilbao"
BUS = "Bus to the Port Center"
# Names of their own: the live server (and its outbox) is shared with the other browser tests.
ON_BOARD = [("Itziar", "Arrieta", "ES", "Port of Bilbao"), ("Femke", "Visser", "NL", "Port of Rotterdam"),
            ("Giulia", "Ferraro", "IT", "Port of Genoa"), ("Jonas", "Berg", "SE", "Port of Gothenburg"),
            ("Marta", "Nowak", "PL", "Port of Gdańsk")]
ON_THE_BUS = ("Sofia", "Papadaki", "GR", "Piraeus Port Authority")


def outbox(live_server, email: str) -> list[tuple[str, str]]:
    with sqlite3.connect(live_server.database) as connection:
        return connection.execute("SELECT subject, body FROM outbox_messages WHERE recipient = ? ORDER BY id",
                                  (email,)).fetchall()


def email_of(delegate) -> str:
    return f"{delegate[0].lower()}.{delegate[1].lower()}@e2e.example"


def visit_data(title: str, day, start: time, end: time, meeting_point: str, transport: str, places: int) -> dict:
    return {"title": title, "description": "", "day": day, "start_time": start, "end_time": end,
            "meeting_point": meeting_point, "transport": transport, "capacity": places, "requires_id": False,
            "id_deadline": None}


def seed_meeting(live_server) -> dict[str, str]:
    """The host's published meeting with a boat of 2 places and a coach of 20; five delegates pick the boat
    (the last three wait, in order) and one the coach, registered one after the other through the
    registration rules. Returns each delegate's private link."""
    links = {}
    with served_database(live_server):
        host = db.session.scalar(select(User).where(User.email == HOST[0]))
        meeting = meetings.create_meeting({
            "title": "Citizen Port Meeting Plans Change", "edition": 7, "slug": SLUG, "city": "Bilbao",
            "country": "ES", "venue": "Euskalduna Palace", "start_date": FIRST_DAY, "end_date": FIRST_DAY,
            "timezone": "Europe/Madrid", "description": "", "host_organisation": "Bilbao Port Authority",
            "contact_email": "journey@bilbaoport.example", "registration_opens": None,
            "registration_closes": None, "capacity": 60, "status": "published",
        }, created_by=host)
        boat = meetings.save_visit(meeting, visit_data(VISIT, FIRST_DAY, time(14), time(16, 30),
                                                       "Pier 3, Zorrozaurre", "boat", 2))
        bus = meetings.save_visit(meeting, visit_data(BUS, FIRST_DAY, time(15), time(17), "Main entrance", "bus", 20))
        db.session.flush()
        for (first, last, country, organisation), visit in [*((person, boat) for person in ON_BOARD),
                                                            (ON_THE_BUS, bus)]:
            _registration, token = registrations.register(meeting, {
                "first_name": first, "last_name": last, "badge_name": "", "email": email_of((first, last)),
                "organisation": organisation, "job_title": "", "country": country, "phone": "",
                "category": "delegate", "dietary": "", "accessibility": "", "consent_list": True,
                "visits": [visit.id],
            })
            db.session.flush()
            links[email_of((first, last))] = f"{live_server.url}/registrations/{token}"
    return links


def edit_visit(page, title: str):
    page.goto(f"/manage/meetings/{SLUG}/")
    page.locator(".visit", has_text=title).get_by_role("link", name="Edit").click()


def test_host_changes_places_times_writes_and_deletes_and_delegates_hear_of_it(new_page, live_server):
    links = seed_meeting(live_server)  # the boat has 2 places
    host = new_page()
    sign_in(host, HOST[0], HOST[2])
    delegate = new_page()
    chiara = links[email_of(ON_BOARD[2])]
    delegate.goto(chiara)
    expect(delegate.locator(".pick").filter(has_text=VISIT).get_by_text("waitlist, position 1")).to_be_visible()

    # 2 → 4 places: the two oldest waiting are booked at once and told, with their link.
    edit_visit(host, VISIT)
    host.get_by_label("Places", exact=True).fill("1")
    host.get_by_role("button", name="Save field visit").click()
    expect(host.get_by_text("2 places are booked on this visit: the places cannot be fewer than that.")).to_be_visible()
    host.get_by_label("Places", exact=True).fill("4")
    host.get_by_role("button", name="Save field visit").click()
    host.wait_for_url(f"**/manage/meetings/{SLUG}/#visits")
    for person in ON_BOARD[2:4]:
        [(subject, body)] = [m for m in outbox(live_server, email_of(person)) if "is yours" in m[0]]
        assert f"a place on “{VISIT}” is yours" in subject
        link = re.search(r"(http://127\.0\.0\.1:\d+/registrations/[A-Za-z0-9_-]+)\s", body).group(1)
        delegate.goto(link)
        expect(delegate.locator(".pick").filter(has_text=VISIT).get_by_text("place booked")).to_be_visible()
    delegate.goto(links[email_of(ON_BOARD[4])])
    expect(delegate.locator(".pick").filter(has_text=VISIT).get_by_text("waitlist, position 1")).to_be_visible()

    # The bus leaves an hour later; its delegate is told what changed.
    edit_visit(host, BUS)
    host.get_by_label("Start", exact=True).fill("16:00")
    host.get_by_label("End", exact=True).fill("18:00")
    host.get_by_label(re.compile("E-mail the delegates booked or waiting")).check()
    check_page(host, "visit-edit-notify")
    host.get_by_role("button", name="Save field visit").click()
    host.wait_for_url(f"**/manage/meetings/{SLUG}/#visits")
    [(subject, body)] = [m for m in outbox(live_server, email_of(ON_THE_BUS)) if "has changed" in m[0]]
    assert "Start: 15:00 → 16:00" in body and "End: 17:00 → 18:00" in body

    # A message to everyone on the boat: preview, send, then the log.
    host.goto(f"/manage/meetings/{SLUG}/")
    host.get_by_role("link", name="Messages").click()
    host.get_by_label("Field visit", exact=True).select_option(label=VISIT)
    host.get_by_label("Subject", exact=True).fill("Boarding at Pier 3")
    host.get_by_label("Message", exact=True).fill("Dear {first_name}, boarding starts at 13:45. Your page: {link}")
    host.get_by_role("button", name="Preview").click()
    expect(host.get_by_role("heading", name="Preview: 5 recipients")).to_be_visible()
    expect(host.locator(".mail-example").get_by_text("boarding starts at 13:45")).to_be_visible()
    check_page(host, "messages-preview")
    host.get_by_role("button", name="Send to 5 delegates").dblclick()  # a double click sends once
    # The second click's submission may abort the first one's navigation: wait for where the page ends up, not
    # for one navigation (wait_for_url raised net::ERR_ABORTED on CI).
    expect(host).to_have_url(re.compile(r".*/messages/\d+$"))
    expect(host.get_by_role("heading", name="Boarding at Pier 3")).to_be_visible()
    check_page(host, "message-sent")
    host.get_by_role("link", name="Messages").last.click()
    expect(host.locator(".message-log").get_by_role("link", name="Boarding at Pier 3")).to_have_count(1)
    for person in ON_BOARD:
        assert sum("Boarding at Pier 3" in subject for subject, _ in outbox(live_server, email_of(person))) == 1

    # Deleting the bus asks first, naming who is affected; then it is cancelled, not erased.
    host.goto(f"/manage/meetings/{SLUG}/")
    host.locator(".visit", has_text=BUS).get_by_role("link", name="Delete").click()
    expect(host.get_by_role("heading", name=f"Delete “{BUS}”?")).to_be_visible()
    expect(host.get_by_text("Papadaki, Sofia")).to_be_visible()
    check_page(host, "visit-delete-confirm")
    host.get_by_role("button", name="Cancel the visit and tell its delegates").click()
    host.wait_for_url(f"**/manage/meetings/{SLUG}/#visits")
    expect(host.locator(".visit", has_text=BUS)).to_have_count(0)
    assert any("is cancelled" in subject for subject, _ in outbox(live_server, email_of(ON_THE_BUS)))


def test_messages_and_delete_pages_fit_the_screen(new_page):
    from portmeet.demo import DEMO_SLUG

    page = new_page("phone")
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(f"/manage/meetings/{DEMO_SLUG}/messages")
    check_page_at_both_widths(page, "messages")
    page.goto(f"/manage/meetings/{DEMO_SLUG}/")
    page.locator(".visit").first.get_by_role("link", name="Delete").click()
    check_page_at_both_widths(page, "visit-delete")
