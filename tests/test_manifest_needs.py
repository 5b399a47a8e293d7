"""Visit manifests carry what the guide and port security need: document type and expiry, diet, access."""
import csv
import io
from datetime import date

from documents_support import manager_client, pdf_text, read_pdf
from portmeet.registration.models import IdType


def test_manifest_shows_document_type_expiry_and_the_delegates_needs(client, make_user, make_meeting, make_visit,
                                                                    make_registration):
    meeting = make_meeting(slug="cpm-genoa")
    boat = make_visit(meeting, title="Port tour by boat", requires_id=True)
    make_registration(meeting, visits=(boat,), last_name="Aboard", first_name="Ana", nationality="ES",
                      id_type=IdType.passport, id_number="X1234567", id_expiry=date(2030, 1, 31),
                      date_of_birth=date(1980, 5, 1), accessibility="Wheelchair user; needs the ramp",
                      dietary="Vegetarian")
    make_registration(meeting, visits=(boat,), last_name="Card", first_name="Carla", nationality="IT",
                      id_type=IdType.id_card, id_number="CA00001", date_of_birth=date(1975, 2, 3))
    manager = manager_client(client, make_user, meeting)
    response = manager.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.pdf")
    text = " ".join(pdf_text(read_pdf(response)).split())
    for expected in ("Passport X1234567", "valid until 2030-01-31", "Wheelchair user; needs the ramp",
                     "Vegetarian", "National ID card CA00001", "Accessibility:", "Diet:"):
        assert expected in text, expected

    rows = list(csv.DictReader(io.StringIO(
        manager.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.csv").get_data(as_text=True)
        .lstrip("\ufeff"))))
    ana = next(row for row in rows if row["last name"] == "Aboard")
    assert (ana["ID document type"], ana["ID document valid until"]) == ("passport", "2030-01-31")
    assert (ana["accessibility needs"], ana["dietary needs"]) == ("Wheelchair user; needs the ramp", "Vegetarian")


def test_needs_show_on_a_manifest_without_id_data(client, make_user, make_meeting, make_visit, make_registration):
    meeting = make_meeting(slug="cpm-bilbao")
    museum = make_visit(meeting, title="Maritime museum", requires_id=False)
    make_registration(meeting, visits=(museum,), last_name="Diaz", dietary="No pork", accessibility="")
    manager = manager_client(client, make_user, meeting)
    text = pdf_text(read_pdf(manager.get(f"/manage/meetings/{meeting.slug}/visits/{museum.id}/manifest.pdf")))
    assert "No pork" in text and "ID document" not in text
