"""In a real browser at phone width: a delegate registers with a partner who joins a field visit, is told
beside the field what is missing, then finds the partner on their own page and changes the partner's visit."""
import re

import pytest
from playwright.sync_api import expect

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import check_page, errors_are_next_to_their_fields

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]

CENTRE = "Valencia Port Center"
MUSEUM = "Maritime museum and port archives"


def test_a_delegate_adds_a_partner_on_the_form_and_changes_them_on_a_phone(new_page):
    phone = new_page("phone")
    phone.goto(f"/meetings/{DEMO_SLUG}/register")
    phone.get_by_label("First name", exact=True).fill("Inés")
    phone.get_by_label("Last name", exact=True).fill("Acompañada")
    phone.get_by_label("E-mail", exact=True).fill("ines.acompanada@e2e.example")
    phone.get_by_label("Organisation", exact=True).fill("Port of Valencia")
    phone.get_by_label("Country", exact=True).select_option("ES")

    # The accompanying persons are folded away until wanted.
    partner = phone.locator("#companion-1")
    expect(partner).not_to_be_visible()
    phone.get_by_text("Someone is coming with you? Add accompanying persons").click()
    partner.get_by_label(re.compile("^First name")).fill("Pau")
    partner.get_by_label(re.compile("^Country")).select_option("FR")
    partner.get_by_role("group", name=re.compile("^Dietary needs")).get_by_label("Vegetarian").check()
    partner.get_by_role("checkbox", name=re.compile(CENTRE)).check()
    check_page(phone, "register-with-partner")
    phone.get_by_role("button", name="Register").click()

    # The last name is missing: said beside it, the row kept open and filled.
    expect(partner).to_be_visible()
    expect(partner.get_by_text("Enter the accompanying person's last name.")).to_be_visible()
    assert errors_are_next_to_their_fields(phone)
    assert partner.get_by_label(re.compile("^First name")).input_value() == "Pau"
    check_page(phone, "register-with-partner-errors")
    partner.get_by_label(re.compile("^Last name")).fill("Lefèvre")
    phone.get_by_role("button", name="Register").click()
    phone.wait_for_url("**/registrations/*")

    section = phone.locator("#companions-section")
    expect(section.locator("strong", has_text="Pau Lefèvre")).to_be_visible()
    assert re.search(rf"{CENTRE} — .*place booked", section.inner_text(), re.S)
    assert "Vegetarian" in section.inner_text()
    check_page(phone, "own-page-with-partner")

    # From the own page: the partner goes to the museum instead.
    section.get_by_role("link", name=re.compile("^Change")).click()
    phone.get_by_role("checkbox", name=re.compile(CENTRE)).uncheck()
    phone.get_by_role("checkbox", name=re.compile(MUSEUM)).check()
    check_page(phone, "partner-form")
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_url("**/registrations/*")
    text = phone.locator("#companions-section").inner_text()
    assert MUSEUM in text and CENTRE not in text
