"""The registrations table: search as the desk does, a compact filter bar, the countries present only, the
registration numbers badges are printed by, and one order of names for table, roster, documents and desk."""
import re

from documents_support import pdf_text, read_pdf
from tests.test_registration import page_text

NAMES = [("Ana", "Zubiri", "ES"), ("Émile", "Émery", "FR"), ("Jon", "Ñúñez", "ES"), ("Øyvind", "Ødegaard", "NO"),
         ("Karl", "Andersen", "DK"), ("Zoë", "Brontë", "GB")]
ORDER = ["Andersen", "Brontë", "Émery", "Ñúñez", "Ødegaard", "Zubiri"]


def in_order(text: str, names=ORDER) -> bool:
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


def test_search_finds_names_e_mails_and_organisations_accents_aside(client, organiser, make_meeting,
                                                                   make_registration):
    meeting = make_meeting()
    for first, last, country in NAMES:
        make_registration(meeting, first_name=first, last_name=last, country=country,
                          organisation="Société du Grand Port" if last == "Émery" else "Port of Bilbao")
    client.login(organiser.email)
    url = f"/manage/meetings/{meeting.slug}/registrations"
    for query, found in (("emery", ["Émery"]), ("NUNEZ", ["Ñúñez"]), ("oyvind", ["Ødegaard"]),
                         ("societe grand", ["Émery"]), ("delegate3@", ["Ñúñez"]), ("bilbao zub", ["Zubiri"])):
        page = page_text(client.get(url, query_string={"q": query}))
        shown = [name for name in ORDER if f"{name}," in page]
        assert shown == found, (query, shown)
    assert "No registration matches." in page_text(client.get(url, query_string={"q": "nobody"}))
    # The search combines with the other filters.
    page = page_text(client.get(url, query_string={"q": "port", "country": "ES"}))
    assert [name for name in ORDER if f"{name}," in page] == ["Ñúñez", "Zubiri"]


def test_the_filter_bar_offers_only_the_countries_present_and_shows_registration_numbers(client, organiser,
                                                                                         make_meeting,
                                                                                         make_registration):
    meeting = make_meeting()
    registrations = [make_registration(meeting, first_name=f, last_name=last, country=c) for f, last, c in NAMES]
    client.login(organiser.email)
    page = client.get(f"/manage/meetings/{meeting.slug}/registrations").get_data(as_text=True)
    select = re.search(r'<select id="country" name="country">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option[^>]*value="([A-Z]*)"', select) == ["", "DK", "FR", "NO", "ES", "GB"]  # by name
    assert 'class="filters filter-bar"' in page and 'name="q"' in page
    for registration in registrations:
        assert f'<td class="num registration-number">{registration.id}</td>' in page
    detail = page_text(client.get(f"/manage/meetings/{meeting.slug}/registrations/{registrations[0].id}"))
    assert f"Registration number {registrations[0].id}" in detail
    attendees = page_text(client.get(f"/manage/meetings/{meeting.slug}/attendees"))
    assert "The numbers in the “No.” column of the registrations table" in attendees


def test_one_order_of_names_in_table_roster_manifest_documents_and_desk(client, organiser, make_meeting, make_visit,
                                                                       make_registration):
    meeting = make_meeting()
    visit = make_visit(meeting, capacity=20)
    for first, last, _country in NAMES:
        make_registration(meeting, first_name=first, last_name=last, country="ES", visits=(visit,),
                          organisation="Port of Bilbao")
    client.login(organiser.email)
    slug = meeting.slug
    assert in_order(page_text(client.get(f"/manage/meetings/{slug}/registrations")))
    assert in_order(page_text(client.get(f"/manage/meetings/{slug}/visits/{visit.id}/")))
    assert in_order(pdf_text(read_pdf(client.get(f"/manage/meetings/{slug}/visits/{visit.id}/manifest.pdf"))))
    assert in_order(client.get(f"/manage/meetings/{slug}/visits/{visit.id}/manifest.csv").get_data(as_text=True))
    assert in_order(pdf_text(read_pdf(client.get(f"/manage/meetings/{slug}/attendees.pdf"))))
    assert in_order(page_text(client.get(f"/manage/meetings/{slug}/checkin", query_string={"q": "bilbao"})))
