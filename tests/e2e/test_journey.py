"""The whole story in a real browser: a host builds and publishes a meeting, delegates register, one
cancels and the waitlist moves up, an organiser prints the badges and the attendee list."""
import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portmeet.timeutil import utcnow
from tests.e2e.checks import check_page, check_page_at_both_widths, errors_are_next_to_their_fields, sign_in
from tests.e2e.live_server import HOST, ORGANISER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]

FIRST_DAY = utcnow().date() + timedelta(days=40)
DELEGATES = [("Amaia", "Etxeberria", "ES", "Port of Bilbao"),
             ("Pieter", "Jansen", "NL", "Port of Rotterdam"),
             ("Chiara", "Bianchi", "IT", "Port of Genoa")]
VISIT = "Boat tour of the container terminal"


def create_meeting_as_host(page, slug: str) -> None:
    """Through the manage pages only: the meeting, two sessions, a visit with 2 places, then publish."""
    sign_in(page, HOST[0], HOST[2])
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("Title", exact=True).fill("Citizen Port Meeting Journey")
    page.get_by_label("Edition number", exact=True).fill("7")
    page.get_by_label("Address name (slug)", exact=True).fill(slug)
    page.get_by_label("City", exact=True).fill("Bilbao")
    page.get_by_label("Country", exact=True).select_option(label="Spain")
    page.get_by_label("Venue", exact=True).fill("Euskalduna Palace")
    page.get_by_label("First day", exact=True).fill(FIRST_DAY.isoformat())
    page.get_by_label("Last day", exact=True).fill((FIRST_DAY + timedelta(days=1)).isoformat())
    page.get_by_label("Time zone", exact=True).select_option("Europe/Madrid")
    page.get_by_label("Delegate capacity", exact=True).fill("60")
    page.get_by_label("Contact e-mail", exact=True).fill("journey@bilbaoport.example")
    page.get_by_label("Registration opens", exact=True).fill(f"{(FIRST_DAY - timedelta(days=50)).isoformat()}T09:00")
    page.get_by_label("Registration closes", exact=True).fill(f"{(FIRST_DAY - timedelta(days=2)).isoformat()}T18:00")
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/")
    expect(page.get_by_role("heading", name="Citizen Port Meeting Journey")).to_be_visible()
    # Publishing an empty programme is refused, saying what is missing.
    page.get_by_role("button", name="Publish the meeting").click()
    expect(page.get_by_text("Add at least one session to the programme.")).to_be_visible()

    for title, start, end in (("Opening plenary", "09:00", "10:30"), ("Port and city debate", "11:00", "12:30")):
        page.get_by_role("link", name="Add a session").click()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Day", exact=True).fill(FIRST_DAY.isoformat())
        page.get_by_label("Start", exact=True).fill(start)
        page.get_by_label("End", exact=True).fill(end)
        page.get_by_label("Room", exact=True).fill("Auditorium")
        page.get_by_label("Speakers", exact=True).fill("Ana Ruiz, Port of Bilbao, ES")
        page.get_by_role("button", name="Save session").click()
        page.wait_for_url(f"**/manage/meetings/{slug}/#programme")
        expect(page.get_by_text(title).first).to_be_visible()

    page.get_by_role("link", name="Add a field visit").click()
    page.get_by_label("Title", exact=True).fill(VISIT)
    page.get_by_label("Day", exact=True).fill((FIRST_DAY + timedelta(days=1)).isoformat())
    page.get_by_label("Start", exact=True).fill("14:00")
    page.get_by_label("End", exact=True).fill("16:30")
    page.get_by_label("Meeting point", exact=True).fill("Pier 3, Zorrozaurre")
    page.get_by_label("Transport", exact=True).select_option(label="Boat")
    page.get_by_label("Places", exact=True).fill("2")
    page.get_by_role("button", name="Save field visit").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/#visits")
    expect(page.get_by_text(VISIT).first).to_be_visible()

    page.get_by_role("link", name="Preview the public page").click()
    expect(page.get_by_text("only the people who manage this meeting see this page")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Publish the meeting").click()
    page.wait_for_url(f"**/manage/meetings/{slug}/")
    expect(page.get_by_text("Published: delegates can now see the meeting and register.")).to_be_visible()
    page.get_by_role("link", name="Public page").click()
    expect(page.get_by_role("heading", name="Citizen Port Meeting Journey")).to_be_visible()
    expect(page.get_by_text("Opening plenary")).to_be_visible()
    expect(page.get_by_text("Port and city debate")).to_be_visible()


def fill_registration(page, first: str, last: str, country: str, organisation: str) -> None:
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("E-mail", exact=True).fill(f"{first.lower()}.{last.lower()}@e2e.example")
    page.get_by_label("Organisation", exact=True).fill(organisation)
    page.get_by_label("Country", exact=True).select_option(country)


def register(page, slug: str, delegate: tuple, visit: str | None = VISIT) -> str:
    """Register from the meeting page; returns the private link the delegate lands on."""
    page.goto(f"/meetings/{slug}/")
    page.get_by_role("link", name="Register").first.click()
    fill_registration(page, *delegate)
    if visit:
        page.get_by_role("checkbox", name=visit).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")
    expect(page.get_by_role("heading", name="My registration")).to_be_visible()
    return page.url


FORM_URL = "form => form.action + '?' + new URLSearchParams(new FormData(form)).toString()"


def download_pdf(page, link_or_form) -> PdfReader:
    """Fetch what the organiser's link or GET form points at, with the browser's signed-in cookies.

    (Chromium shows an inline PDF in its viewer, where Playwright cannot read it; the request is the same.)"""
    url = link_or_form.get_attribute("href") or link_or_form.evaluate(FORM_URL)
    response = page.context.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.body()))


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_host_builds_a_meeting_delegates_register_and_the_waitlist_moves_up(new_page):
    slug = "journey-bilbao"
    host = new_page()
    create_meeting_as_host(host, slug)

    delegates = [new_page() for _ in DELEGATES]  # each in its own browser: own cookies, own private link
    links = [register(page, slug, delegate) for page, delegate in zip(delegates, DELEGATES)]
    for page in delegates[:2]:
        expect(page.locator(".pick").filter(has_text=VISIT).get_by_text("place booked")).to_be_visible()
    third = delegates[2]
    expect(third.locator(".pick").filter(has_text=VISIT).get_by_text("waitlist, position 1")).to_be_visible()
    expect(third.get_by_text("Confirmed: you have a place at the meeting.")).to_be_visible()
    check_page(third, "own-registration-waitlist")

    # The first delegate cancels through the private link, after the confirmation step.
    first = delegates[0]
    first.goto(links[0])
    first.get_by_role("link", name="Cancel my registration").click()
    expect(first.get_by_role("heading", name="Cancel my registration?")).to_be_visible()
    check_page(first, "cancel-confirmation")
    first.get_by_role("button", name="Yes, cancel my registration").click()
    first.wait_for_url(links[0])
    expect(first.get_by_text("This registration is cancelled")).to_be_visible()

    third.goto(links[2])
    expect(third.locator(".pick").filter(has_text=VISIT).get_by_text("place booked")).to_be_visible()
    expect(third.get_by_text("waitlist")).to_have_count(0)

    # An organiser prints the badges and the attendee list from the meeting's manage pages.
    organiser = new_page()
    sign_in(organiser, ORGANISER[0], ORGANISER[2])
    organiser.get_by_role("link", name="Citizen Port Meeting Journey").click()
    organiser.get_by_role("link", name="Attendees and badges").click()
    attendees = pdf_text(download_pdf(organiser, organiser.locator(".actions").get_by_role("link", name="PDF")))
    badges = pdf_text(download_pdf(organiser, organiser.locator("form", has=organiser.get_by_role("button", name="Print badges (PDF)"))))
    for first_name, last_name, *_ in DELEGATES[1:]:
        assert last_name in attendees and first_name in attendees
        assert last_name in badges and first_name in badges
    assert "Etxeberria" not in attendees and "Etxeberria" not in badges  # she cancelled


def test_registration_form_and_own_page_fit_the_screen_and_show_errors_beside_their_fields(new_page):
    from portmeet.demo import DEMO_SLUG

    page = new_page("phone")
    page.goto(f"/meetings/{DEMO_SLUG}/register")
    check_page_at_both_widths(page, "register")

    # Sent with a bad e-mail and no organisation: both fields say so, the rest is kept.
    fill_registration(page, "Zoë", "Brontë", "GB", "")
    page.get_by_label("E-mail", exact=True).fill("not an address")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Enter a valid e-mail address.")).to_be_visible()
    expect(page.locator(".field", has=page.get_by_label("Organisation", exact=True)).get_by_text(
        "This field is required.")).to_be_visible()
    assert page.get_by_label("First name", exact=True).input_value() == "Zoë"
    assert errors_are_next_to_their_fields(page)
    check_page_at_both_widths(page, "register-errors")

    page.get_by_label("E-mail", exact=True).fill("zoe.bronte@e2e.example")
    page.get_by_label("Organisation", exact=True).fill("Port of Dover")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")
    expect(page.get_by_text("Zoë Brontë")).to_be_visible()
    check_page_at_both_widths(page, "own-registration")
