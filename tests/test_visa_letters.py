"""Visa invitation letters: a delegate asks, the hosts approve or decline, the letter is a real signed PDF."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.letters.models import Letterhead
from portmeet.registration.models import IdType, Registration, VisaLetterStatus
from tests.test_registration import register, token_of


def image_bytes(fmt="PNG", size=(240, 80), colour=(11, 95, 138), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **save)
    return out.getvalue()


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-valencia", title="Citizen Port Meeting Valencia", city="Valencia", country="ES",
                        venue="Port Centre of Valencia", contact_email="cpm@valenciaport.example",
                        host_organisation="Port Authority of Valencia")


def passport(meeting, **overrides) -> dict:
    data = {"needs_visa_letter": "y", "id_name": "OKAFOR CHIDINMA ADAEZE", "nationality": "NG", "id_type": "passport",
            "id_number": "A07654321", "id_expiry": (meeting.end_date + timedelta(days=400)).isoformat(),
            "date_of_birth": "1984-03-12", "email": "chidinma@lagosport.example", "first_name": "Chidinma",
            "last_name": "Okafor", "country": "NG", "organisation": "Nigerian Ports Authority"}
    data.update(overrides)
    return data


@pytest.fixture
def host(client, make_user, meeting):
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    return client


def set_letterhead(client, meeting, **images):
    data = {"organisation": "Port Authority of Valencia", "address": "Avenida del Muelle del Turia s/n\n46024 Valencia",
            "signatory_name": "Marta Ferrer", "signatory_title": "Director of Communication",
            "purpose": "A two-day workshop of port authorities on the relations between ports and their cities."}
    for name, content in images.items():
        data[name] = (io.BytesIO(content), f"{name}.png")
    return client.post_form(f"/manage/meetings/{meeting.slug}/letterhead", data, content_type="multipart/form-data")


def registration_of(app, email="chidinma@lagosport.example") -> Registration:
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email_normalized == email))
        db.session.expunge(registration)
        return registration


def decide(client, meeting, registration, decision):
    return client.post_form(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}/visa-letter",
                            {"decision": decision})


def test_approved_letter_carries_the_passport_details_on_the_letterhead(app, client, host, runner, smtp_server,
                                                                        meeting):
    client.post_form("/logout")
    token = token_of(register(client, meeting, **passport(meeting)))
    registration = registration_of(app)
    assert (registration.visa_letter, registration.id_type) == (VisaLetterStatus.requested, IdType.passport)
    assert client.get(f"/registrations/{token}/invitation-letter.pdf").status_code == 404  # not approved yet
    assert "Requested" in client.get(f"/registrations/{token}").get_data(as_text=True)

    client.login("host@example.org")
    assert set_letterhead(client, meeting, logo=image_bytes(), signature=image_bytes(size=(300, 90),
                                                                                    colour=(20, 20, 60))).status_code == 303
    page = client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}").get_data(as_text=True)
    assert "OKAFOR CHIDINMA ADAEZE" in page and "A07654321" in page and "Passport" in page
    assert decide(client, meeting, registration, "approve").status_code == 303
    assert registration_of(app).visa_letter == VisaLetterStatus.approved

    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [confirmation, approval] = smtp_server.to("chidinma@lagosport.example")
    assert approval["Subject"] == "Citizen Port Meeting Valencia: your visa invitation letter is ready"
    # The e-mail links straight to the letter, through a private link of its own.
    letter_link = re.search(r"https?://\S+/registrations/([\w-]+)/invitation-letter\.pdf", approval.get_content())
    assert letter_link, approval.get_content()
    assert read_pdf(client.get(f"/registrations/{letter_link.group(1)}/invitation-letter.pdf")).pages

    client.post_form("/logout")
    own_page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert f'href="/registrations/{token}/invitation-letter.pdf"' in own_page
    response = client.get(f"/registrations/{token}/invitation-letter.pdf")
    reader = read_pdf(response)
    text = " ".join(pdf_text(reader).split())
    for expected in ("Port Authority of Valencia", "Avenida del Muelle del Turia", "OKAFOR CHIDINMA ADAEZE",
                     "A07654321", "Nigeria", "March 12, 1984", "Citizen Port Meeting Valencia",
                     "Port Centre of Valencia", "Marta Ferrer", "Director of Communication",
                     f"CPM-VALENCIA/VL/{registration.id:05d}", "two-day workshop of port authorities"):
        assert expected in text, expected
    assert "Preview" not in text
    assert len(reader.pages) == 1
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2  # the logo and the signature
    assert response.headers["Cache-Control"] == "private, no-store"


def test_letter_is_written_in_the_delegates_language(app, client, host, meeting):
    set_letterhead(client, meeting)
    client.post_form("/logout")
    client.post_form("/language", {"lang": "fr", "next": "/"})
    token = token_of(register(client, meeting, **passport(meeting)))
    client.login("host@example.org")
    decide(client, meeting, registration_of(app), "approve")
    client.post_form("/logout")
    client.post_form("/language", {"lang": "en", "next": "/"})
    text = pdf_text(read_pdf(client.get(f"/registrations/{token}/invitation-letter.pdf")))
    assert "Madame, Monsieur" in text and "Passeport" in text and "12 mars 1984" in text


def test_a_request_needs_every_passport_detail_valid_after_the_meeting(app, client, meeting):
    response = register(client, meeting, **passport(meeting, id_number="", id_name="",
                                                      id_expiry=meeting.end_date.isoformat()))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A visa invitation letter needs the document number." in page
    assert "A visa invitation letter needs the name as written in your passport." in page
    assert "expires before the end of the meeting" in page
    assert registration_of_none(app)


def registration_of_none(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(Registration)) is None


def test_decline_tells_the_delegate_and_no_letter_is_served(app, client, host, runner, smtp_server, meeting):
    set_letterhead(client, meeting)
    client.post_form("/logout")
    token = token_of(register(client, meeting, **passport(meeting)))
    client.login("host@example.org")
    assert decide(client, meeting, registration_of(app), "decline").status_code == 303
    assert registration_of(app).visa_letter == VisaLetterStatus.declined
    runner.invoke(args=["send-mail"])
    decline = smtp_server.to("chidinma@lagosport.example")[-1]
    assert "cannot issue a visa invitation letter" in decline.get_content()
    client.post_form("/logout")
    assert client.get(f"/registrations/{token}/invitation-letter.pdf").status_code == 404


def test_approval_needs_a_complete_letterhead(app, client, host, meeting):
    client.post_form("/logout")
    register(client, meeting, **passport(meeting))
    client.login("host@example.org")
    response = decide(client, meeting, registration_of(app), "approve")
    assert response.status_code == 303
    assert registration_of(app).visa_letter == VisaLetterStatus.requested
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fill in the letterhead" in page


def test_changing_passport_details_after_approval_sends_the_letter_back_to_the_hosts(app, client, host, meeting):
    set_letterhead(client, meeting)
    client.post_form("/logout")
    token = token_of(register(client, meeting, **passport(meeting)))
    client.login("host@example.org")
    decide(client, meeting, registration_of(app), "approve")
    client.post_form("/logout")
    response = client.post_form(f"/registrations/{token}/edit", passport(meeting, id_number="B1234567"))
    assert response.status_code == 303
    assert registration_of(app).visa_letter == VisaLetterStatus.requested
    assert client.get(f"/registrations/{token}/invitation-letter.pdf").status_code == 404


def test_only_the_meetings_staff_decide_or_see_the_letter(app, client, make_user, make_meeting, meeting):
    token_of(register(client, meeting, **passport(meeting)))
    registration = registration_of(app)
    base = f"/manage/meetings/{meeting.slug}/registrations/{registration.id}"
    assert client.get(f"{base}/invitation-letter.pdf").status_code == 302  # to the sign-in page
    make_user(email="other@example.org", hosts=(make_meeting(),))
    client.login("other@example.org")
    assert decide(client, meeting, registration, "approve").status_code == 404
    assert client.get(f"{base}/invitation-letter.pdf").status_code == 404
    assert client.get(f"/manage/meetings/{meeting.slug}/letterhead").status_code == 404
    assert registration_of(app).visa_letter == VisaLetterStatus.requested


def test_staff_preview_is_marked_as_not_valid(app, client, host, meeting):
    set_letterhead(client, meeting)
    client.post_form("/logout")
    register(client, meeting, **passport(meeting))
    client.login("host@example.org")
    registration = registration_of(app)
    text = pdf_text(read_pdf(client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}"
                                        "/invitation-letter.pdf")))
    assert "not approved, not valid" in text and "OKAFOR CHIDINMA ADAEZE" in text


def test_purge_erases_the_passport_details_and_the_letter(app, client, host, runner, meeting):
    set_letterhead(client, meeting)
    client.post_form("/logout")
    token = token_of(register(client, meeting, **passport(meeting)))
    client.login("host@example.org")
    decide(client, meeting, registration_of(app), "approve")
    assert runner.invoke(args=["purge-id-data", meeting.slug, "--force"]).exit_code == 0
    registration = registration_of(app)
    assert [registration.id_name, registration.id_type, registration.id_expiry, registration.id_number,
            registration.nationality, registration.date_of_birth] == [None] * 6
    client.post_form("/logout")
    assert client.get(f"/registrations/{token}/invitation-letter.pdf").status_code == 404


@pytest.mark.parametrize("content, message", [
    (b"<html><body>not an image</body></html>", "not a PNG or JPEG image"),
    (image_bytes("GIF"), "Upload a PNG or JPEG image"),
    (image_bytes()[:200], "not a PNG or JPEG image"),  # truncated
    (b"", "The file is empty"),
])
def test_letterhead_images_must_be_sound_png_or_jpeg(app, host, meeting, content, message):
    response = set_letterhead(host, meeting, logo=content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Letterhead)) is None
    assert not any(True for _ in __import__("os").scandir(app.config["UPLOAD_DIR"])) if \
        __import__("os").path.isdir(app.config["UPLOAD_DIR"]) else True


def test_an_image_over_1_mb_is_refused(app, host, meeting):
    response = set_letterhead(host, meeting, logo=image_bytes() + b"\0" * (2 * 1024 * 1024))
    assert response.status_code in (400, 413)
    assert "at most 1 MB" in response.get_data(as_text=True)


def test_a_jpeg_logo_is_re_encoded_without_its_metadata(app, host, meeting):
    exif = Image.Exif()
    exif[0x010E] = "secret GPS notes"  # ImageDescription
    assert set_letterhead(host, meeting, logo=image_bytes("JPEG", exif=exif.tobytes())).status_code == 303
    with app.app_context():
        letterhead = db.session.scalar(select(Letterhead))
        path = f"{app.config['UPLOAD_DIR']}/{letterhead.logo_file}"
    stored = open(path, "rb").read()
    assert stored.startswith(b"\x89PNG") and b"secret GPS notes" not in stored
    assert Image.open(io.BytesIO(stored)).size == (240, 80)
