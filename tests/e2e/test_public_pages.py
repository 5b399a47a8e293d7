"""The public pages at phone and desktop width: readable without sideways scrolling, labelled, accessible.
Each page is loaded once and checked at both widths."""
import pytest
from playwright.sync_api import expect

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import check_page_at_both_widths, errors_are_next_to_their_fields

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-b")]

PUBLIC_PAGES = [
    ("home", "/"),
    ("meeting", f"/meetings/{DEMO_SLUG}/"),
    ("sign-in", "/login"),
    ("not-found", "/meetings/no-such-meeting/"),
]


def test_public_pages_fit_the_screen_and_pass_the_accessibility_audit(new_page):
    page = new_page("phone")
    for name, path in PUBLIC_PAGES:
        page.goto(path)
        check_page_at_both_widths(page, name)
        if name == "meeting":
            expect(page.get_by_role("heading", name="Citizen Port Meeting Valencia")).to_be_visible()
            expect(page.get_by_text("Boat tour of the port area").first).to_be_visible()


def test_sign_in_errors_are_shown_next_to_their_fields(new_page):
    page = new_page("phone")
    page.goto("/login")
    page.get_by_label("E-mail").fill("nobody@e2e.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()
    assert errors_are_next_to_their_fields(page)
    check_page_at_both_widths(page, "sign-in-error")
