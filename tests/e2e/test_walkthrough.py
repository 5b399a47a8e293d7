"""The walk-through of issue 12 again, in Chromium: a host copies the demo meeting into next year's edition,
previews and publishes it; a delegate meets a full meeting on a phone; an organiser searches the registrations
table, prints the programme and runs the desk. Each journey runs once; its pages are checked at phone and at
desktop width. Screenshots in tests/artifacts/."""
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import at_width, check_page, check_page_at_both_widths, sign_in
from tests.e2e.live_server import HOST, ORGANISER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-b")]

DAY_ITEMS = """() => [...document.querySelectorAll('section.day')].map(day => [
  day.querySelector('h3').id.slice(4),
  [...day.querySelectorAll('li.session')].map(item =>
    item.querySelector('.when').textContent.trim() + ' ' + item.querySelector('h4').textContent.trim())])"""


def programme_by_day(page) -> dict[date, list[str]]:
    return {date.fromisoformat(day): items for day, items in page.evaluate(DAY_ITEMS)}


def add_host_to_demo(page) -> None:
    """The organiser makes the e2e host a host of the demo meeting (once per server)."""
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(f"/manage/meetings/{DEMO_SLUG}/")
    if page.get_by_text(HOST[0]).count() == 0:
        page.get_by_label("E-mail of an existing account", exact=True).fill(HOST[0])
        page.get_by_role("button", name="Add host").click()
        expect(page.get_by_text(HOST[0]).first).to_be_visible()


def copy_demo(page, slug: str, *, capacity: str | None = None) -> None:
    """From the demo's manage page: copy into the next edition under `slug`, optionally change its capacity,
    publish it through the checklist."""
    page.goto(f"/manage/meetings/{DEMO_SLUG}/")
    page.get_by_role("link", name="Copy into the next edition").click()
    page.get_by_label("Address name (slug)", exact=True).fill(slug)
    # The same form as the host's (w12-host-copy-form, checked in the first test at both widths): not again.
    page.get_by_role("button", name="Copy into a new draft").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/")
    if capacity:
        page.get_by_role("link", name="Edit meeting").click()
        page.get_by_label("Delegate capacity", exact=True).fill(capacity)
        # A year on, registration would open next year: open it now.
        page.get_by_label("Registration opens", exact=True).fill(f"{date.today() - timedelta(days=1)}T09:00")
        page.get_by_role("button", name="Save meeting").click()
        page.wait_for_url(f"**/manage/meetings/{slug}/")
    page.get_by_role("button", name="Publish the meeting").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/")
    expect(page.get_by_text("Published: delegates can now see the meeting and register.")).to_be_visible()


def test_host_copies_the_demo_into_next_years_edition_previews_and_publishes_it(new_page):
    add_host_to_demo(new_page("desktop"))
    page = new_page("desktop")
    page.goto(f"/meetings/{DEMO_SLUG}/")
    before = programme_by_day(page)
    sign_in(page, HOST[0], HOST[2])
    slug = "cpm-valencia-next"
    page.goto(f"/manage/meetings/{DEMO_SLUG}/")
    page.get_by_role("link", name="Copy into the next edition").click()
    page.get_by_label("Title of the new edition", exact=True).fill("Citizen Port Meeting Valencia, next (e2e)")
    page.get_by_label("Address name (slug)", exact=True).fill(slug)
    start = date.fromisoformat(page.get_by_label("First day of the new edition", exact=True).input_value())
    check_page_at_both_widths(page, "w12-host-copy-form")
    page.get_by_role("button", name="Copy into a new draft").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/")
    flash = page.locator(".alert.success").inner_text()
    days = int(re.search(r"moved by (\d+) days", flash).group(1))
    assert "8 sessions" in flash or "sessions" in flash
    check_page_at_both_widths(page, "w12-host-copy-draft")

    page.get_by_role("link", name="Preview the public page").click()
    expect(page.get_by_text("only the people who manage this meeting see this page")).to_be_visible()
    check_page_at_both_widths(page, "w12-host-draft-preview")
    after = programme_by_day(page)
    assert min(after) == start and len(after) == len(before)
    # Every session and field visit sits on the same weekday, the same number of days later, at the same time.
    assert {day + timedelta(days=days): items for day, items in before.items()} == after

    page.go_back()
    page.get_by_role("button", name="Publish the meeting").click()
    expect(page.get_by_text("Published: delegates can now see the meeting and register.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_text("Citizen Port Meeting Valencia, next (e2e)")).to_be_visible()
    check_page_at_both_widths(page, "w12-home-series")


def test_delegate_on_a_phone_meets_a_full_meeting_and_joins_the_waiting_list(new_page):
    organiser = new_page("desktop")
    sign_in(organiser, ORGANISER[0], ORGANISER[2])
    slug = "cpm-valencia-full"
    copy_demo(organiser, slug, capacity="1")
    first = new_page("desktop")
    first.goto(f"/meetings/{slug}/register")
    for label, value in (("First name", "Marta"), ("Last name", "Ferrer"), ("E-mail", "marta@e2e.example"),
                         ("Organisation", "Valenciaport")):
        first.get_by_label(label, exact=True).fill(value)
    first.get_by_label("Country", exact=True).select_option("ES")
    first.get_by_role("button", name="Register").click()
    first.wait_for_url("**/registrations/*")
    expect(first.get_by_text("you have a place at the meeting").first).to_be_visible()

    phone = new_page("phone")
    phone.goto(f"/meetings/{slug}/")
    expect(phone.get_by_text("The meeting is full. You can still register to join its waiting list")).to_be_visible()
    check_page(phone, "w12-delegate-full-meeting")
    phone.get_by_role("link", name="Join the waiting list").click()
    expect(phone.locator(".meeting-full")).to_be_visible()
    bus = phone.get_by_role("checkbox", name=re.compile("Container terminal"))
    bus.check()
    phone.get_by_role("checkbox", name=re.compile("Boat tour")).check()
    hint = phone.locator("#date_of_birth-hint").inner_text()
    assert "YYYY" not in hint and "passport" in hint
    for label, value in (("First name", "Iñaki"), ("Last name", "Etxeberria"), ("E-mail", "inaki@e2e.example"),
                         ("Organisation", "Bilbao Port Authority"), ("ID document number (passport or national ID card)", "X1234567")):
        phone.get_by_label(label, exact=True).fill(value)
    phone.get_by_label("Country", exact=True).select_option("ES")
    phone.get_by_label("Nationality", exact=True).select_option("ES")
    phone.get_by_label("Date of birth", exact=True).fill("1980-02-03")
    check_page(phone, "w12-delegate-full-form")
    phone.get_by_role("button", name="Join the waiting list").click()
    phone.wait_for_url("**/registrations/*")
    expect(phone.get_by_text("The meeting is full, so you are on its waiting list, number 1")).to_be_visible()
    expect(phone.locator(".pick").filter(has_text="Container terminal").get_by_text(
        "waitlist, until you have a place at the meeting")).to_be_visible()
    expect(phone.get_by_text("your field-visit picks wait with you")).to_be_visible()
    check_page(phone, "w12-delegate-waiting")
    response = phone.context.request.get(phone.get_by_role("link", name="My itinerary (PDF)").get_attribute("href"))
    itinerary = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in itinerary.pages)
    assert len(itinerary.pages) == 1 and "ID data for port security: given" in text

    phone.goto("/registrations/a-link-that-was-replaced")
    expect(phone.get_by_role("heading", name="This link is no longer valid")).to_be_visible()
    check_page(phone, "w12-delegate-link-not-valid")
    phone.get_by_role("link", name=re.compile("Send me a new link for")).first.click()
    expect(phone.get_by_label("E-mail you registered with")).to_be_visible()


def test_organiser_searches_the_table_prints_the_programme_and_runs_the_desk(new_page):
    page = new_page("desktop")
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(f"/manage/meetings/{DEMO_SLUG}/registrations")
    page.get_by_label("Search", exact=True).fill("inaki")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.registrations tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Etxeberria, Iñaki")
    number = rows.first.locator(".registration-number").inner_text()
    assert number.isdigit()
    assert page.locator("#country option").count() <= 20  # the countries present (the demo's and the journeys'), not 250
    check_page_at_both_widths(page, "w12-organiser-table-search")
    page.get_by_role("link", name="Clear").click()
    # Measured on the cleared table once it is styled, not on the searched page or one still loading its CSS.
    page.wait_for_url(f"**/manage/meetings/{DEMO_SLUG}/registrations")
    page.wait_for_load_state("load")
    expect(rows).not_to_have_count(1)
    with at_width(page, "desktop"):
        table = page.locator("table.registrations").bounding_box()
        assert table["width"] > 1150  # the whole screen, not a 960 px column
        bar = page.locator(".filter-bar").bounding_box()
        assert bar["height"] < 200  # two rows of small filters, not seven full-width ones
    check_page_at_both_widths(page, "w12-organiser-table")

    response = page.context.request.get(f"/meetings/{DEMO_SLUG}/programme.pdf")
    programme = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "places left" not in programme
    assert programme.index("Valencia Port Center") < programme.index("Boat tour of the port area")

    page.goto(f"/manage/meetings/{DEMO_SLUG}/checkin?q=etxeberria")
    expect(page.get_by_text("All times are local time in Valencia (Europe/Madrid).")).to_be_visible()
    check_page_at_both_widths(page, "w12-organiser-desk")
    page.goto(f"/manage/meetings/{DEMO_SLUG}/attendees")
    for width in ("phone", "desktop"):
        with at_width(page, width):
            widths = page.evaluate("[...document.querySelectorAll('table.attendees')].map(t => t.getBoundingClientRect().width)")
            assert len(set(round(w) for w in widths)) == 1, width  # every country's table as wide as the others
    check_page_at_both_widths(page, "w12-organiser-attendees")
