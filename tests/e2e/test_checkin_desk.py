"""The check-in desk in a real browser: on a phone and on a laptop, driven with the keyboard alone."""
import pytest
from playwright.sync_api import expect

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import check_page, sign_in
from tests.e2e.live_server import ORGANISER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]

DESK = f"/manage/meetings/{DEMO_SLUG}/checkin"
# One demo delegate per width (the server is shared), typed at the desk without accents.
DELEGATES = {"phone": ("inaki", "Iñaki Etxeberria"), "desktop": ("lea moreau", "Léa Moreau")}


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


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_desk_checks_a_delegate_in_and_out_with_the_keyboard_alone(new_page, width):
    query, name = DELEGATES[width]
    page = new_page(width)
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(DESK)
    check_page(page, "checkin-desk")

    tab_until(page, "el.name === 'q'")
    page.keyboard.type(query)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(name).first).to_be_visible()
    check_page(page, "checkin-search")

    tab_until(page, focused_row_button("Check in", name))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(f"{name} checked in at")).to_be_visible()
    expect(page.locator(".checkin-row", has_text=name).get_by_text("Arrived")).to_be_visible()

    tab_until(page, focused_row_button("Undo", name))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(f"Arrival of {name} undone.")).to_be_visible()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_walk_in_form_and_badge_page_fit_the_screen(new_page, width):
    page = new_page(width)
    sign_in(page, ORGANISER[0], ORGANISER[2])
    page.goto(DESK)
    with page.expect_navigation():
        page.get_by_role("link", name="Late registration").click()
    check_page(page, "checkin-walk-in")

    page.get_by_label("First name", exact=True).fill("Walk")
    page.get_by_label("Last name", exact=True).fill(f"In {width}")
    page.get_by_label("E-mail", exact=True).fill(f"walk-in-{width}@e2e.example")
    page.get_by_label("Organisation", exact=True).fill("Port of Valencia")
    page.get_by_label("Country", exact=True).select_option("ES")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    expect(page.get_by_text(f"Walk In {width} is registered and checked in.")).to_be_visible()
    badge = page.get_by_role("link", name="Print badge")
    assert "layout=a6" in badge.get_attribute("href") and "status=all" in badge.get_attribute("href")
    check_page(page, "checkin-walk-in-done")
