"""In a real browser: an organiser sets the letterhead and uploads slides; a delegate on a phone asks for a
visa letter; the organiser approves it; the delegate downloads the letter and everyone the public slides."""
import io
import pytest
from playwright.sync_api import expect
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from portmeet.demo import DEMO_SLUG
from tests.e2e.checks import check_page, errors_are_next_to_their_fields, sign_in
from tests.e2e.live_server import ORGANISER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-a")]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 90), (11, 95, 138)).save(out, format="PNG")
    return out.getvalue()


def fetch_pdf(page, href: str) -> PdfReader:
    response = page.context.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.body()))


def test_visa_letter_and_slides_journey(new_page, tmp_path):
    organiser = new_page()
    sign_in(organiser, ORGANISER[0], ORGANISER[2])
    organiser.goto(f"/manage/meetings/{DEMO_SLUG}/")
    organiser.get_by_role("link", name="Letterhead (visa letters, certificates)").click()
    organiser.get_by_label("Inviting organisation").fill("Valenciaport – Port Authority of Valencia")
    organiser.get_by_label("Postal address").fill("Avenida del Muelle del Turia s/n\n46024 Valencia, Spain")
    organiser.get_by_label("Signed by (name)").fill("Marta Ferrer")
    organiser.get_by_label("Signatory's position").fill("Head of Port–City Relations")
    organiser.get_by_label("Logo (PNG or JPEG, up to 1 MB)").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": png()})
    organiser.get_by_role("button", name="Save letterhead").click()
    expect(organiser.get_by_text("Letterhead saved.")).to_be_visible()
    expect(organiser.get_by_role("img", name="Current logo")).to_be_visible()
    check_page(organiser, "letterhead")

    organiser.goto(f"/manage/meetings/{DEMO_SLUG}/")
    organiser.locator("li.session").first.get_by_role("link", name="Edit").click()
    slides = HTML(string="<h1>Opening: the port and its city</h1>").write_pdf()
    organiser.get_by_label("Slides (PDF, up to 20 MB)").set_input_files(
        {"name": "opening.pdf", "mimeType": "application/pdf", "buffer": slides})
    organiser.get_by_label("Everyone may see the slides").check()
    organiser.get_by_role("button", name="Save session").click()
    organiser.wait_for_url(f"**/manage/meetings/{DEMO_SLUG}/#programme")

    delegate = new_page("phone")
    delegate.goto(f"/meetings/{DEMO_SLUG}/register")
    delegate.get_by_label("First name", exact=True).fill("Chidinma")
    delegate.get_by_label("Last name", exact=True).fill("Okafor")
    delegate.get_by_label("E-mail", exact=True).fill("chidinma@e2e.example")
    delegate.get_by_label("Organisation", exact=True).fill("Nigerian Ports Authority")
    delegate.get_by_label("Country", exact=True).select_option("NG")
    delegate.get_by_label("I need a visa invitation letter").check()
    delegate.get_by_role("button", name="Register").click()
    expect(delegate.get_by_text("A visa invitation letter needs the document number.")).to_be_visible()
    assert errors_are_next_to_their_fields(delegate)
    check_page(delegate, "register-visa-errors")
    delegate.get_by_label("Name exactly as written in the document").fill("OKAFOR CHIDINMA")
    delegate.get_by_label("Nationality", exact=True).select_option("NG")
    delegate.get_by_label("Type of document").select_option("passport")
    delegate.get_by_label("ID document number (passport or national ID card)", exact=True).fill("A07654321")
    delegate.get_by_label("Document valid until").fill("2031-06-30")
    delegate.get_by_label("Date of birth", exact=True).fill("1984-03-12")
    delegate.get_by_role("button", name="Register").click()
    delegate.wait_for_url("**/registrations/*")
    own_page = delegate.url
    expect(delegate.get_by_text("Requested: the hosts check your passport details")).to_be_visible()

    public = new_page("phone")
    public.goto(f"/meetings/{DEMO_SLUG}/")
    link = public.locator("#presentations ~ ul a.download").first
    assert fetch_pdf(public, link.get_attribute("href")).pages[0].extract_text().startswith("Opening")

    organiser.goto(f"/manage/meetings/{DEMO_SLUG}/registrations")
    organiser.get_by_role("link", name="Okafor, Chidinma").click()
    expect(organiser.get_by_role("heading", name="Visa invitation letter")).to_be_visible()
    check_page(organiser, "registration-visa-request")
    organiser.get_by_role("button", name="Approve the letter").click()
    expect(organiser.get_by_text("Visa letter approved; the delegate has been told by e-mail.")).to_be_visible()

    delegate.goto(own_page)
    letter = delegate.get_by_role("link", name="Download my visa invitation letter (PDF)")
    text = " ".join(fetch_pdf(delegate, letter.get_attribute("href")).pages[0].extract_text().split())
    assert "OKAFOR CHIDINMA" in text and "A07654321" in text and "Marta Ferrer" in text
    check_page(delegate, "own-registration-visa-approved")
