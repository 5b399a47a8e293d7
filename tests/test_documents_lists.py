"""Attendee lists by country (HTML, PDF, CSV), the public participant list, visit manifests, and who may
print them."""
import csv
import io
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import delete

from documents_support import manager_client, pdf_text, read_pdf
from portmeet.documents.cache import CachedDocument
from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, Category, RegistrationStatus, VisitBooking

DELEGATES = [  # last name, first name, country, status
    ("Zubiri", "Ane", "ES", RegistrationStatus.confirmed),
    ("álvarez", "Marta", "ES", RegistrationStatus.confirmed),
    ("Ødegård", "Zoë", "NO", RegistrationStatus.confirmed),
    ("Berg", "Ola", "NO", RegistrationStatus.confirmed),
    ("Berg", "Anne", "NO", RegistrationStatus.confirmed),
    ("Παπαδοπούλου", "Ελένη", "GR", RegistrationStatus.confirmed),
    ("Rossi", "Giulia", "IT", RegistrationStatus.waitlisted),
    ("Bianchi", "Luca", "IT", RegistrationStatus.cancelled),
]


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-genoa-2031", title="Citizen Port Meeting Genoa")


@pytest.fixture
def delegates(meeting, make_registration):
    return [make_registration(meeting, last_name=last, first_name=first, country=country, status=status,
                              organisation=f"Port of {country}", category=Category.delegate,
                              consent_list=last != "Berg")
            for last, first, country, status in DELEGATES]


@pytest.fixture
def manager(client, make_user, meeting):
    return manager_client(client, make_user, meeting)


def expected_groups(include_waitlist: bool = False) -> dict[str, int]:
    statuses = {RegistrationStatus.confirmed} | ({RegistrationStatus.waitlisted} if include_waitlist else set())
    return dict(Counter(country for _l, _f, country, status in DELEGATES if status in statuses))


COUNTRY_NAMES = {"ES": "Spain", "NO": "Norway", "GR": "Greece", "IT": "Italy"}


def test_attendee_list_groups_and_counts_match_the_database(manager, meeting, delegates):
    page = manager.get(f"/manage/meetings/{meeting.slug}/attendees").get_data(as_text=True)
    groups = dict(re.findall(r"<h2>([^<]+) <span class=\"count\">\((\d+)\)</span></h2>", page))
    assert groups == {COUNTRY_NAMES[code]: str(n) for code, n in expected_groups().items()}
    assert "6 registrations · 3 countries" in page
    # Countries by name, delegates by last name then first name (accents do not push a name last).
    assert list(groups) == ["Greece", "Norway", "Spain"]
    names = re.findall(r"<b>([^<]+)</b>, ([^<]+)</td>", page)
    assert names == [("Παπαδοπούλου", "Ελένη"), ("Berg", "Anne"), ("Berg", "Ola"), ("Ødegård", "Zoë"),
                     ("álvarez", "Marta"), ("Zubiri", "Ane")]
    # On the page, names keep their own direction (dir="auto"); the printed list leaves it out (WeasyPrint
    # ignores it: the pages come out the same) and prints the same names (the PDF test below).
    assert '<td dir="auto"><b>Zubiri</b>, Ane</td>' in page


def test_attendee_list_can_include_the_waitlist(manager, meeting, delegates):
    page = manager.get(f"/manage/meetings/{meeting.slug}/attendees?waitlist=y").get_data(as_text=True)
    assert "Italy <span class=\"count\">(1)</span>" in page and "Rossi" in page
    assert "Bianchi" not in page  # cancelled registrations never appear
    assert "7 registrations · 4 countries" in page


def test_attendee_list_pdf_has_the_same_groups(manager, meeting, delegates):
    response = manager.get(f"/manage/meetings/{meeting.slug}/attendees.pdf")
    reader = read_pdf(response)
    text = pdf_text(reader)
    groups = dict(re.findall(r"^(\w+) \((\d+)\)$", text, re.M))
    assert groups == {COUNTRY_NAMES[code]: str(n) for code, n in expected_groups().items()}
    assert "6 registrations · 3 countries" in text
    order = [text.index(name) for name in ("Παπαδοπούλου", "Berg, Anne", "Berg, Ola", "Ødegård", "álvarez", "Zubiri")]
    assert order == sorted(order)
    assert reader.metadata.title == "Attendee list by country · Citizen Port Meeting Genoa"
    assert reader.metadata.author == "Bilbao Port Authority"
    assert "filename=cpm-genoa-2031-attendees.pdf" in response.headers["Content-Disposition"]


ENGLISH_ORDER = ("Παπαδοπούλου", "Berg, Anne", "Berg, Ola", "Ødegård", "álvarez", "Zubiri")  # Greece, Norway, Spain
FRENCH_ORDER = ("álvarez", "Zubiri", "Παπαδοπούλου", "Berg, Anne", "Berg, Ola", "Ødegård")  # Espagne, Grèce, Norvège


@pytest.mark.parametrize("lang, word, names", [("en", "First edition", ENGLISH_ORDER), ("fr", "1re édition", FRENCH_ORDER)])
def test_long_attendee_list_printed_in_parts_reads_as_one_document(app, manager, meeting, delegates, lang, word,
                                                                   names):
    """Printed in two parts side by side (each new part starting on a new page): the same groups and names in
    the same order, the heading once, and every page's footer with the meeting line and page N of all."""
    app.config.update(PDF_PARTS_MIN_WEIGHT=1, PDF_WORKERS=2)
    reader = read_pdf(manager.get(f"/manage/meetings/{meeting.slug}/attendees.pdf?lang={lang}"))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2
    text = pdf_text(reader)
    assert len(re.findall(r"^\w+ \(\d+\)$", text, re.M)) == 3
    order = [text.index(name) for name in names]
    assert order == sorted(order)
    assert text.count("Citizen Port Meeting Genoa ·") == 1 + len(pages)  # the heading's line, then each footer
    for number, page in enumerate(pages, start=1):
        assert f"Citizen Port Meeting Genoa · {word} " in page
        assert page.rstrip().endswith(f"{number} / {len(pages)}")
    assert reader.metadata.title.endswith("Citizen Port Meeting Genoa")


def footer_positions(page) -> list[tuple[str, float, float]]:
    """The footer lines of a PDF page (the text in its bottom 18 mm) with where each starts, in points."""
    found = []

    def visit(text, matrix, text_matrix, _fonts, _size):
        x, y = text_matrix[4], text_matrix[5]  # the text's origin, to the page's coordinates
        x, y = x * matrix[0] + y * matrix[2] + matrix[4], x * matrix[1] + y * matrix[3] + matrix[5]
        if text.strip() and y < 18 * 72 / 25.4:
            found.append((text.strip(), round(x, 1), round(y, 1)))

    page.extract_text(visitor_text=visit)
    return found


def test_footers_printed_in_parts_sit_where_the_one_piece_footers_sit(app, manager, meeting, delegates):
    """The footers drawn over a list printed in parts are where the page's own footers are: the meeting line
    at the same spot, the page number on the same baseline."""
    url = f"/manage/meetings/{meeting.slug}/attendees.pdf"
    app.config.update(PDF_PARTS_MIN_WEIGHT=10_000)
    one_piece = footer_positions(read_pdf(manager.get(url)).pages[0])
    app.config.update(PDF_PARTS_MIN_WEIGHT=1, PDF_WORKERS=2)
    with app.app_context():  # printed anew, not served from the documents' cache
        db.session.execute(delete(CachedDocument))
        db.session.commit()
    in_parts = footer_positions(read_pdf(manager.get(url)).pages[0])
    (line, line_x, line_y), (number, _, number_y) = one_piece
    assert line.startswith("Citizen Port Meeting Genoa ·") and number == "1 / 1" and number_y == line_y
    # The parts' footer line starts at the same spot, its page number on the same baseline.
    assert in_parts[0][1:] == (line_x, line_y) and {y for _, _, y in in_parts} == {line_y}
    assert " ".join(text for text, _, _ in in_parts) == f"{line} 1 / 2"


def test_attendee_csv_parses_with_one_row_per_delegate(manager, meeting, delegates):
    response = manager.get(f"/manage/meetings/{meeting.slug}/attendees.csv?waitlist=y")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "filename=cpm-genoa-2031-attendees.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert Counter(row["country"] for row in rows) == Counter(expected_groups(include_waitlist=True))
    assert {row["last name"] for row in rows} == {last for last, *_ in DELEGATES if last != "Bianchi"}
    assert rows[0]["country name"] == "Greece" and rows[0]["first name"] == "Ελένη"


@pytest.mark.parametrize("lang, spain, norway, delegate", [
    ("fr", "Espagne", "Norvège", "Délégué"), ("es", "España", "Noruega", "Delegado"),
])
def test_attendee_list_prints_in_the_chosen_language(manager, meeting, delegates, lang, spain, norway, delegate):
    response = manager.get(f"/manage/meetings/{meeting.slug}/attendees.pdf?lang={lang}",
                           headers={"Accept-Language": "en"})
    text = pdf_text(read_pdf(response))
    assert f"{spain} (2)" in text and f"{norway} (3)" in text and delegate in text
    rows = list(csv.DictReader(io.StringIO(manager.get(
        f"/manage/meetings/{meeting.slug}/attendees.csv?lang={lang}").get_data(as_text=True).lstrip("\ufeff"))))
    assert spain in {row["country name"] for row in rows}


def test_unknown_print_language_is_refused(manager, meeting):
    assert manager.get(f"/manage/meetings/{meeting.slug}/attendees.pdf?lang=xx").status_code == 400


def test_public_participant_list_shows_only_consenting_confirmed_delegates(client, meeting, delegates):
    page = client.get(f"/meetings/{meeting.slug}/participants").get_data(as_text=True)
    assert "Zubiri" in page and "Ødegård" in page and "Port of ES" in page
    assert "Berg" not in page  # did not consent
    assert "Rossi" not in page and "Bianchi" not in page  # not confirmed
    assert "@example.org" not in page  # names and organisations only


# --- visit manifests ---------------------------------------------------------------------------

@pytest.fixture
def boat_tour(app, meeting, make_visit, make_registration):
    visit = make_visit(meeting, title="Port tour by boat", capacity=2, requires_id=True)
    make_registration(meeting, visits=(visit,), last_name="Aboard", first_name="Ana", phone="+34 600 111 222",
                      nationality="ES", id_number="X1234567", date_of_birth=date(1980, 5, 1))
    make_registration(meeting, visits=(visit,), last_name="Nodata", first_name="Nils", country="NO")
    waiting = make_registration(meeting, last_name="Waiting", first_name="Wim", country="BE")
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=visit.id, status=BookingStatus.waitlisted))
        db.session.commit()
    return visit


def test_manifest_lists_booked_delegates_with_id_data_and_waitlist_apart(manager, meeting, boat_tour):
    response = manager.get(f"/manage/meetings/{meeting.slug}/visits/{boat_tour.id}/manifest.pdf")
    reader = read_pdf(response)
    text = pdf_text(reader)
    booked, waitlist = text.split("Waitlist (1)")
    assert "Booked (2)" in booked and "Aboard, Ana" in booked and "Nodata, Nils" in booked
    assert "X1234567" in booked and "1980-05-01" in booked and "+34 600 111 222" in booked
    assert "ID data missing" in booked and "Signature" in booked
    assert "Waiting, Wim" in waitlist
    assert reader.metadata.title.startswith("Field-visit manifest: Port tour by boat")
    assert f"filename=cpm-genoa-2031-visit-{boat_tour.id}-manifest.pdf" in response.headers["Content-Disposition"]


def test_manifest_csv_parses(manager, meeting, boat_tour):
    response = manager.get(f"/manage/meetings/{meeting.slug}/visits/{boat_tour.id}/manifest.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["list"], row["last name"]) for row in rows] == [
        ("booked", "Aboard"), ("booked", "Nodata"), ("waitlist", "Waiting")]
    assert rows[0]["ID document number"] == "X1234567" and rows[0]["date of birth"] == "1980-05-01"


def test_manifest_of_another_meetings_visit_is_not_found(manager, meeting, make_meeting, make_visit):
    other_visit = make_visit(make_meeting(slug="other-meeting"))
    assert manager.get(f"/manage/meetings/{meeting.slug}/visits/{other_visit.id}/manifest.pdf").status_code == 404


# --- who may print -----------------------------------------------------------------------------

def manage_documents(meeting, visit) -> list[str]:
    base = f"/manage/meetings/{meeting.slug}"
    return [f"{base}/badges.pdf", f"{base}/badges.pdf?layout=a6", f"{base}/attendees", f"{base}/attendees.pdf",
            f"{base}/attendees.csv", f"{base}/visits/{visit.id}/manifest.pdf", f"{base}/visits/{visit.id}/manifest.csv"]


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting, make_visit):
    for url in manage_documents(meeting, make_visit(meeting)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_host_of_another_meeting_gets_404_on_every_manage_document(client, make_user, make_meeting, meeting,
                                                                   make_visit, make_registration):
    visit = make_visit(meeting)
    make_registration(meeting, visits=(visit,))
    make_user(email="other-host@example.org", hosts=(make_meeting(slug="another-meeting"),))
    client.login("other-host@example.org")
    for url in manage_documents(meeting, visit):
        assert client.get(url).status_code == 404, url


def test_organiser_prints_every_manage_document(client, organiser, meeting, make_visit, make_registration):
    visit = make_visit(meeting)
    make_registration(meeting, visits=(visit,))
    client.login(organiser.email)
    for url in manage_documents(meeting, visit):
        assert client.get(url).status_code == 200, url
