"""Dietary needs are choices the caterer can count, with a text for anything else; a need typed as text
that names a choice (in any of the three languages) is counted as that choice."""
import csv
import io
import re

from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import Registration
from test_registration import form_data, page_text, register, token_of


def registration(app, email):
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email_normalized == email))
        return found.diets, found.dietary


def test_delegate_ticks_needs_and_adds_a_note_and_sees_them_on_their_page(app, client, make_meeting):
    meeting = make_meeting(slug="cpm-valencia")
    form = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    for choice in ("vegetarian", "vegan", "halal", "kosher", "gluten_free", "lactose_free", "nut_allergy", "other"):
        assert f'name="diets" type="checkbox" value="{choice}"' in form

    token = token_of(register(client, meeting, email="ana@example.org", diets=["vegan", "nut_allergy"],
                              dietary="No raw fish"))
    assert registration(app, "ana@example.org") == ("vegan nut_allergy", "No raw fish")
    own_page = page_text(client.get(f"/registrations/{token}"))
    assert "Dietary needs Vegan, Nut allergy; No raw fish" in own_page

    # The edit form shows the ticks again; untick one and the note goes.
    edit = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert re.search(r'checked[^>]*value="vegan"|value="vegan"[^>]*checked', edit)
    assert not re.search(r'checked[^>]*value="halal"|value="halal"[^>]*checked', edit)
    response = client.post_form(f"/registrations/{token}/edit",
                                form_data(email="ana@example.org", diets=["vegan"], dietary=""))
    assert response.status_code == 303
    assert registration(app, "ana@example.org") == ("vegan", "")


def test_a_need_typed_as_text_is_counted_as_its_choice_in_any_language(app, client, make_meeting):
    meeting = make_meeting(slug="cpm-genoa")
    for email, text in (("a@example.org", "Vegetarian"), ("b@example.org", "végétarien"),
                        ("c@example.org", "Sin gluten, halal"), ("d@example.org", "Vegetarian; no pork")):
        token_of(register(client, meeting, email=email, dietary=text))
    assert registration(app, "a@example.org") == ("vegetarian", "")
    assert registration(app, "b@example.org") == ("vegetarian", "")
    assert registration(app, "c@example.org") == ("halal gluten_free", "")
    # A sentence that is not only choices stays as it was typed: nothing the delegate wrote is lost.
    assert registration(app, "d@example.org") == ("", "Vegetarian; no pork")


def test_a_choice_not_offered_is_refused_beside_the_field_and_nothing_is_saved(app, client, make_meeting):
    meeting = make_meeting(slug="cpm-bilbao")
    response = register(client, meeting, email="e@example.org", diets=["vegetarian", "carnivore"])
    assert response.status_code in (400, 422)
    page = response.get_data(as_text=True)
    group = page.split('id="diets"', 1)[1].split("</fieldset>", 1)[0]
    assert "Choose among the answers offered." in group
    with app.app_context():
        assert db.session.scalar(select(Registration).where(Registration.email_normalized == "e@example.org")) is None


def test_dashboard_and_table_count_each_need_once_per_delegate(app, client, organiser, make_meeting):
    meeting = make_meeting(slug="cpm-antwerp")
    for n, (diets, text) in enumerate(((["vegetarian"], ""), (["vegetarian", "nut_allergy"], ""),
                                       ([], "Végétarien"), (["other"], "No pork"), ([], ""))):
        token_of(register(client, meeting, email=f"d{n}@example.org", last_name=f"Diner{n}", diets=diets,
                          dietary=text))
    client.login(organiser.email)
    page = client.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    catering = page.split('id="catering"', 1)[1].split('id="catering-accessibility"', 1)[0]
    assert "4 confirmed delegates with dietary needs" in catering
    needs = dict(re.findall(r'<td dir="auto">([^<]+)</td><td class="num">(\d+)</td>', catering))
    assert needs == {"Vegetarian": "3", "Nut allergy": "1", "No pork": "1"}

    table = client.get(f"/manage/meetings/{meeting.slug}/registrations?needs=diet:vegetarian")
    assert table.status_code == 200
    assert set(re.findall(r"Diner\d", table.get_data(as_text=True))) == {"Diner0", "Diner1", "Diner2"}
    other = client.get(f"/manage/meetings/{meeting.slug}/registrations?needs=diet:other").get_data(as_text=True)
    assert set(re.findall(r"Diner\d", other)) == {"Diner3"}

    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/manage/meetings/{meeting.slug}/registrations.csv").get_data(as_text=True).lstrip("\ufeff"))))
    by_email = {row["e-mail"]: row["dietary needs"] for row in rows}
    assert by_email["d1@example.org"] == "Vegetarian, Nut allergy"
    assert by_email["d3@example.org"] == "No pork"
    assert by_email["d4@example.org"] == ""
