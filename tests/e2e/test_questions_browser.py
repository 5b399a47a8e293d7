"""In a real browser: a host adds the travel set and a choice question; a delegate answers on a phone."""
import csv
import io

import pytest

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import check_page, errors_are_next_to_their_fields, sign_in
from tests.e2e.live_server import ORGANISER

pytestmark = pytest.mark.browser


def test_host_adds_questions_and_a_delegate_answers_them_on_a_phone(new_page):
    host = new_page("desktop")
    sign_in(host, ORGANISER[0], ORGANISER[2])
    host.goto(f"/manage/meetings/{DEMO_SLUG}/")
    host.get_by_role("link", name="Registration questions").click()
    host.get_by_role("button", name="Add the set: Travel and accommodation").click()
    assert host.get_by_text("Arrival date").first.is_visible()
    host.get_by_role("link", name="Add a question").click()
    host.get_by_label("Question", exact=True).fill("Hard hat size")
    host.get_by_label("Kind of answer").select_option(label="One choice")
    host.get_by_label("Choices", exact=True).fill("S\nM\nL\nXL")
    host.get_by_label("Choices in Français").fill("S\nM\nL\nXL")
    host.get_by_label("An answer is required").check()
    check_page(host, "question-form")
    host.get_by_role("button", name="Save question").click()
    host.wait_for_url(f"**/manage/meetings/{DEMO_SLUG}/questions/#question-*")
    # Move the new question to the top with the buttons alone.
    for _ in range(6):
        host.get_by_role("button", name="Move “Hard hat size” up").click()
    assert host.locator(".question-item").first.inner_text().startswith("Hard hat size")
    check_page(host, "questions")

    phone = new_page("phone")
    phone.goto(f"/meetings/{DEMO_SLUG}/register")
    phone.get_by_label("First name", exact=True).fill("Lucía")
    phone.get_by_label("Last name", exact=True).fill("Questionada")
    phone.get_by_label("E-mail", exact=True).fill("lucia.q@e2e.example")
    phone.get_by_label("Organisation", exact=True).fill("Port of Valencia")
    phone.get_by_label("Country", exact=True).select_option("ES")
    phone.get_by_label("Arrival date").fill("1999-01-01")
    phone.get_by_role("button", name="Register").click()
    assert errors_are_next_to_their_fields(phone)
    assert phone.locator("#q_1-error, [id$='-error']").filter(has_text="Enter a date from").count() == 1
    assert phone.get_by_text("This field is required.").count() >= 1  # the hard-hat size, beside it
    check_page(phone, "register-questions-errors")
    phone.get_by_label("Arrival date").fill("")
    phone.get_by_label("Hotel").fill("Hotel Astoria")
    phone.get_by_role("group", name="Arriving by").get_by_label("Train").check()
    phone.get_by_role("group", name="Hard hat size (required)").get_by_label("L", exact=True).check()
    phone.get_by_role("button", name="Register").click()
    phone.wait_for_url("**/registrations/*")
    assert phone.get_by_text("Hotel Astoria").is_visible()
    check_page(phone, "registration-answers")

    with host.expect_download() as download:
        host.goto(f"/manage/meetings/{DEMO_SLUG}/registrations")
        host.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    lucia = next(row for row in rows if row["last name"] == "Questionada")
    assert lucia["Hard hat size"] == "L" and lucia["Hotel"] == "Hotel Astoria" and lucia["Arriving by"] == "Train"
    assert {"Arrival date", "Arrival time", "Departure date", "Departure time"} <= set(lucia)
