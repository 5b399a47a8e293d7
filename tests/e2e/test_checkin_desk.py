"""The check-in desk in a real browser, driven with the keyboard alone; its pages checked on a phone and on a laptop.

The desk's layout differs by width through CSS alone (no element hidden or reordered), so Tab walks the same
elements at both widths: the keyboard journey runs once, reaching a row's buttons at phone width (check in) and at
desktop width (undo)."""
import pytest
from playwright.sync_api import expect

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import at_width, check_page_at_both_widths, sign_in
from tests.e2e.live_server import ORGANISER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]

DESK = f"/manage/meetings/{DEMO_SLUG}/checkin"
# A demo delegate (the server is shared), typed at the desk without accents.
QUERY, NAME = "inaki", "Iñaki Etxeberria"


def tab_until(page, condition: str, presses: int = 80) -> None:
    """Press Tab until the focused element meets `condition` (a JS expression on `el`)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({condition}); }})()"):
            return
    raise AssertionError(f"Tab never reached: {condition}")


def focused_row_button(label: str, name: str) -> str:
    return (f"el.tagName === 'BUTTON' && el.textContent.trim().startsWith({label!r}) "
            f"&& el.closest('.checkin-row, .checkin-card') && el.closest('.checkin-row, .checkin-card')"
            f".textContent.includes({name!r})")


def test_desk_checks_a_delegate_in_and_out_with_the_keyboard_alone(new_page):
    page = new_page("phone")
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(DESK)
    check_page_at_both_widths(page, "checkin-desk")

    tab_until(page, "el.name === 'q'")
    page.keyboard.type(QUERY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(NAME).first).to_be_visible()
    check_page_at_both_widths(page, "checkin-search")

    tab_until(page, focused_row_button("Check in", NAME))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(f"{NAME} checked in at")).to_be_visible()
    expect(page.locator(".checkin-row", has_text=NAME).get_by_text("Arrived")).to_be_visible()

    with at_width(page, "desktop"):
        tab_until(page, focused_row_button("Undo", NAME))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_text(f"Arrival of {NAME} undone.")).to_be_visible()


def test_walk_in_form_and_badge_page_fit_the_screen(new_page):
    page = new_page("desktop")
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(DESK)
    with page.expect_navigation():
        page.get_by_role("link", name="Late registration").click()
    check_page_at_both_widths(page, "checkin-walk-in")

    page.get_by_label("First name", exact=True).fill("Walk")
    page.get_by_label("Last name", exact=True).fill("In")
    page.get_by_label("E-mail", exact=True).fill("walk-in@e2e.example")
    page.get_by_label("Organisation", exact=True).fill("Port of Valencia")
    page.get_by_label("Country", exact=True).select_option("ES")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Walk In is registered and checked in.")).to_be_visible()
    badge = page.get_by_role("link", name="Print badge")
    assert "layout=a6" in badge.get_attribute("href") and "status=all" in badge.get_attribute("href")
    check_page_at_both_widths(page, "checkin-walk-in-done")
