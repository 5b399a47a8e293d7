"""Badges: both layouts, every script printed with real glyphs, long names never cut, filters, language."""
import math
import re

import pytest
import segno

from documents_support import (
    MM,
    NAMES_IN_SCRIPTS,
    fonts_by_text,
    manager_client,
    missing_glyphs,
    nfc,
    page_fonts,
    pdf_text,
    read_pdf,
    word_boxes,
)
from portmeet.documents import service
from portmeet.documents.qr import QR_MASK
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import Category, Registration, RegistrationStatus

LONG_NAMES = [  # 60 characters each: with spaces and hyphens, and one word wider than any badge
    "Maximiliana Alexandrina Wilhelmina von Hohenzollern-Sigmarin",
    "W" * 60,
    "Κωνσταντίνα-Αικατερίνη Παπαδοπούλου-Χατζηγεωργίου Ελευθερίου",
]


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-bilbao-2031", title="Citizen Port Meeting Bilbao")


@pytest.fixture
def manager(client, make_user, meeting):
    return manager_client(client, make_user, meeting)


def badges_url(meeting, **query) -> str:
    return f"/manage/meetings/{meeting.slug}/badges.pdf" + ("?" + "&".join(f"{k}={v}" for k, v in query.items())
                                                            if query else "")


@pytest.mark.parametrize("count", [1, 8, 9, 17])
def test_a4_sheet_holds_eight_badges(manager, meeting, make_registration, count):
    for _ in range(count):
        make_registration(meeting)
    reader = read_pdf(manager.get(badges_url(meeting, layout="a4-8")))
    assert len(reader.pages) == math.ceil(count / 8)
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842) for p in reader.pages)


@pytest.mark.parametrize("count", [1, 3])
def test_a6_prints_one_badge_per_page(manager, meeting, make_registration, count):
    for _ in range(count):
        make_registration(meeting)
    reader = read_pdf(manager.get(badges_url(meeting, layout="a6")))
    assert len(reader.pages) == count
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (298, 420)


@pytest.mark.parametrize("layout", ["a4-8", "a6"])
def test_every_name_prints_as_typed_with_embedded_fonts(manager, meeting, make_registration, layout):
    for first, last, country in NAMES_IN_SCRIPTS:
        make_registration(meeting, first_name=first, last_name=last, country=country, organisation=f"Port {last}")
    reader = read_pdf(manager.get(badges_url(meeting, layout=layout)))
    # A name wrapped over two lines reads with a space, or with nothing after a hyphen.
    text = " ".join(pdf_text(reader).replace("-\n", "-").split())
    for first, last, _country in NAMES_IN_SCRIPTS:
        assert nfc(f"{first} {last}") in text
    assert {"Greece", "Israel", "Morocco", "Ukraine", "Spain", "Norway"} <= set(pdf_text(reader).splitlines())
    # Real glyphs: every font is embedded, none drew a missing-glyph box, and the Hebrew and Arabic
    # letters come from fonts made for them.
    fonts = page_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert missing_glyphs(reader) == set()
    drawn = fonts_by_text(reader)
    assert any("Hebrew" in font and set("שרהכן") <= chars for font, chars in drawn.items()), drawn.keys()
    assert any("Arabic" in font and set("فاطمة") <= chars for font, chars in drawn.items()), drawn.keys()
    assert any("Noto-Sans" in font and set("ΕλένηДмитрий") <= chars for font, chars in drawn.items())


def badge_box(layout: str, index: int) -> tuple[float, float, float, float]:
    """Where the index-th badge of a page sits (points from the top-left corner), as print.css places it."""
    if layout == "a6":
        return 0, 0, 105 * MM, 148 * MM
    column, row = index % 2, index // 2
    left, top = (10 + 5 + 90 * column) * MM, (23.5 + 5 + 60 * row) * MM
    return left, top, left + 90 * MM, top + 60 * MM


@pytest.mark.parametrize("layout", ["a4-8", "a6"])
def test_sixty_character_names_are_never_cut(manager, meeting, make_registration, layout):
    for n, name in enumerate(LONG_NAMES):
        make_registration(meeting, last_name=f"Long {n}", badge_name=name, organisation="Port of Genoa")
    response = manager.get(badges_url(meeting, layout=layout))
    text = pdf_text(read_pdf(response))
    words = word_boxes(response.data)
    for n, name in enumerate(LONG_NAMES):
        assert len(name) == 60
        # Every character is printed (a name wrapped over lines comes back with line breaks)...
        assert nfc(name).replace(" ", "") in re.sub(r"\s", "", text)
        # ...and each of its words lies inside the badge's name area, well above the organisation line.
        page = 0 if layout == "a4-8" else n
        left, top, right, _bottom = badge_box(layout, n if layout == "a4-8" else 0)
        # The name's box, and the band it may be read in: between the meeting's dates and the organisation.
        name_top, name_bottom = (top + 12 * MM, top + 29 * MM) if layout == "a4-8" else (top + 21 * MM, top + 61 * MM)
        band_top, band_bottom = (top + 10 * MM, top + 31 * MM) if layout == "a4-8" else (top + 18 * MM, top + 64 * MM)
        pieces = [w for w in words if w.page == page and left <= w.x_min < right
                  and band_top <= w.y_min and w.y_max <= band_bottom]
        assert re.sub(r"\s", "", "".join(w.text for w in pieces)) == nfc(name).replace(" ", ""), pieces
        for w in pieces:
            assert left + 4 * MM <= w.x_min and w.x_max <= right - 4 * MM, (name, w)
            assert name_top - 0.5 * MM <= w.y_min and w.y_max <= name_bottom + 0.5 * MM, (name, w)


def test_badge_shows_organisation_country_category_and_meeting(manager, meeting, make_registration):
    make_registration(meeting, first_name="Ana", last_name="Ruiz", organisation="Autoridad Portuaria de Bilbao",
                      country="ES", category=Category.speaker)
    text = pdf_text(read_pdf(manager.get(badges_url(meeting))))
    assert "Ana Ruiz" in text and "Autoridad Portuaria de Bilbao" in text and "Spain" in text
    assert "SPEAKER" in text  # the category in words on its colour band, not only as a colour
    assert "Citizen Port Meeting Bilbao" in text


def test_badge_qr_opens_that_delegates_check_in(app, manager, meeting, make_registration):
    registration = make_registration(meeting, first_name="Nikos", last_name="Kazantzakis")
    with app.test_request_context(base_url="http://localhost"):
        url = service.checkin_url(db.session.get(Registration, registration.id), db.session.get(Meeting, meeting.id))
    # The QR printed on the badge, read back from the PDF module by module, is the code of that URL.
    (printed,) = read_pdf(manager.get(badges_url(meeting))).pages[0].images
    modules = printed.image.convert("1")
    expected = segno.make(url, micro=False, mask=QR_MASK).matrix
    assert modules.size == (len(expected), len(expected))
    assert [[modules.getpixel((x, y)) == 0 for x in range(modules.width)] for y in range(modules.height)] == \
        [[bool(dark) for dark in row] for row in expected]
    page = manager.get(url.removeprefix("http://localhost")).get_data(as_text=True)
    assert "Kazantzakis" in page


def test_confirmed_only_by_default_and_filters(manager, meeting, make_registration):
    make_registration(meeting, last_name="Confirmedspeaker", category=Category.speaker)
    make_registration(meeting, last_name="Confirmedpress", category=Category.press)
    waiting = make_registration(meeting, last_name="Waitlisteddelegate", status=RegistrationStatus.waitlisted)
    make_registration(meeting, last_name="Cancelleddelegate", status=RegistrationStatus.cancelled)

    def names(**query):
        text = pdf_text(read_pdf(manager.get(badges_url(meeting, **query))))
        return {word for word in re.findall(r"\w+", text) if word.endswith(("speaker", "press", "delegate"))}

    assert names() == {"Confirmedspeaker", "Confirmedpress"}
    assert names(category="press") == {"Confirmedpress"}
    assert names(status="waitlisted") == {"Waitlisteddelegate"}
    assert names(status="all") == {"Confirmedspeaker", "Confirmedpress", "Waitlisteddelegate"}
    assert names(ids=waiting.id, status="all") == {"Waitlisteddelegate"}
    assert names(ids=waiting.id) == set()  # explicit ids still respect the status filter


def test_one_late_badge_by_id(manager, meeting, make_registration):
    for _ in range(9):
        make_registration(meeting)
    late = make_registration(meeting, first_name="Late", last_name="Arrival")
    reader = read_pdf(manager.get(badges_url(meeting, ids=late.id, layout="a6")))
    assert len(reader.pages) == 1 and "Late Arrival" in pdf_text(reader)


def test_no_matching_registration_gives_a_page_saying_so(manager, meeting):
    assert "No registration matches these filters" in pdf_text(read_pdf(manager.get(badges_url(meeting))))


@pytest.mark.parametrize("query", [
    {"layout": "a3"}, {"category": "vip"}, {"status": "cancelled"}, {"ids": "1;DROP TABLE"}, {"ids": "x" * 3000},
    {"lang": "de"}, {"ids": "99999999999999999999"},
])
def test_bad_filter_is_refused_with_400(manager, meeting, make_registration, query):
    make_registration(meeting)
    response = manager.get(badges_url(meeting, **query))
    if "ids" in query and query["ids"].isdigit():  # too long to be an id: nothing matches, no overflow
        assert response.status_code == 200
        return
    assert response.status_code == 400


def test_pdf_metadata_and_file_name(manager, meeting, make_registration):
    make_registration(meeting)
    response = manager.get(badges_url(meeting, layout="a6"))
    reader = read_pdf(response)
    assert reader.metadata.title == "Badges · Citizen Port Meeting Bilbao"
    assert reader.metadata.author == "Bilbao Port Authority"
    assert 'filename=cpm-bilbao-2031-badges-a6.pdf' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("lang, country, category", [
    ("fr", "Espagne", "DÉLÉGUÉ"), ("es", "España", "DELEGADO"), ("en", "Spain", "DELEGATE"),
])
def test_badges_print_in_the_language_the_organiser_picks(manager, meeting, make_registration, lang, country,
                                                          category):
    make_registration(meeting, country="ES", category=Category.delegate)
    # The browser asks for German-then-English: the printed language follows ?lang= only.
    response = manager.get(badges_url(meeting, lang=lang), headers={"Accept-Language": "de, en;q=0.5"})
    text = pdf_text(read_pdf(response))
    assert country in text.splitlines()
    assert category in text


def test_registrations_table_links_to_badges(manager, meeting, make_registration):
    registration = make_registration(meeting)
    page = manager.get(f"/manage/meetings/{meeting.slug}/registrations").get_data(as_text=True)
    assert f'href="/manage/meetings/{meeting.slug}/badges.pdf?layout=a4-8"' in page
    assert f'href="/manage/meetings/{meeting.slug}/badges.pdf?layout=a6"' in page
    one = re.search(r'href="([^"]*badges\.pdf\?[^"]*ids=%d[^"]*)"' % registration.id, page)
    assert one, "a link to print this registration's badge alone"
    url = one.group(1).replace("&amp;", "&")
    assert len(read_pdf(manager.get(url)).pages) == 1


def test_long_runs_are_rendered_in_chunks_by_a_pool_and_joined_in_order(app, manager, meeting, make_registration):
    """Sheets rendered two pages at a time by two forked processes come back as one document: every badge
    once, in name order, each page a whole sheet, with the document's title and fonts."""
    app.config.update(PDF_CHUNK_PAGES=2, PDF_WORKERS=2)
    names = [f"Zeta{n:02d}" for n in range(41)]  # 6 sheets: three chunks, the last one short
    for name in reversed(names):
        make_registration(meeting, last_name=name, first_name="Ana")
    reader = read_pdf(manager.get(badges_url(meeting, layout="a4-8")))
    assert len(reader.pages) == 6
    pages = [nfc(page.extract_text()) for page in reader.pages]
    printed = [name for page in pages for name in re.findall(r"Zeta\d\d", page)]
    assert printed == names
    assert all(len(re.findall(r"Zeta\d\d", page)) == 8 for page in pages[:5])
    assert reader.metadata.title == "Badges · Citizen Port Meeting Bilbao"
    assert all(page_fonts(reader).values())
    assert not missing_glyphs(reader)
