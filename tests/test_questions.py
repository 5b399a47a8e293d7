"""Hosts add their own registration questions; delegates answer them; staff read, filter and export them."""
import csv
import io
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.questions.models import Answer, Question
from tests.test_registration import form_data, page_text, register, token_of


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-genoa", title="Citizen Port Meeting Genoa")


@pytest.fixture
def host(client, make_user, meeting):
    client.login(make_user(email="host@example.org", hosts=(meeting,)).email)
    return client


def add_question(client, meeting, **fields):
    data = {"label": "Hard hat size", "kind": "text", "choices": "", "help_text": ""}
    data.update(fields)
    response = client.post_form(f"/manage/meetings/{meeting.slug}/questions/new", data)
    assert response.status_code == 303, page_text(response)[:2000]
    with client.application.app_context():
        return db.session.scalar(select(Question).order_by(Question.id.desc()))


def answers(app, question_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Answer.value).where(Answer.question_id == question_id).order_by(Answer.id)))


def error_beside(response, field_name) -> str:
    """The error paragraph tied to a field (what the screen reader and the eye find beside it)."""
    found = re.search(rf'<p class="error" id="{field_name}-error" role="alert">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert found, f"no error beside {field_name}"
    return found.group(1).strip()


def test_questions_pages_are_for_the_meetings_hosts_only(client, make_user, make_meeting, meeting):
    question = None
    base = f"/manage/meetings/{meeting.slug}/questions"
    assert client.get(f"{base}/").status_code in (302, 401)
    other = make_meeting()
    client.login(make_user(email="other@example.org", hosts=(other,)).email)
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/new").status_code == 404
    assert client.post_form(f"{base}/presets/travel").status_code == 404
    client.post_form("/logout")
    client.login(make_user(email="host@example.org", hosts=(meeting,)).email)
    question = add_question(client, meeting)
    client.post_form("/logout")
    client.login("other@example.org")
    for url in (f"{base}/{question.id}/edit", f"{base}/{question.id}/delete"):
        assert client.get(url).status_code == 404
    assert client.post_form(f"{base}/{question.id}/move", {"direction": "up"}).status_code == 404
    # A question of another meeting is not reachable through this meeting's URLs either.
    assert client.get(f"/manage/meetings/{other.slug}/questions/{question.id}/edit").status_code == 404


def test_host_adds_every_kind_and_the_delegate_answers_each(app, host, meeting):
    kinds = {
        "text": add_question(host, meeting, label="Hotel", kind="text"),
        "long_text": add_question(host, meeting, label="What do you expect?", kind="long_text"),
        "yes_no": add_question(host, meeting, label="I will attend the dinner", kind="yes_no"),
        "choice": add_question(host, meeting, label="Hard hat size", kind="choice", choices="S\nM\nL", required="y"),
        "multiple_choice": add_question(host, meeting, label="Topics", kind="multiple_choice",
                                        choices="Logistics\nCulture\nEnergy"),
        "date": add_question(host, meeting, label="Arrival date", kind="date", dates_in_meeting_month="y"),
        "number": add_question(host, meeting, label="Nights at the hotel", kind="number", min_value="0",
                               max_value="10"),
    }
    form = host.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    for question in kinds.values():
        assert f'name="q_{question.id}"' in form
    assert form.count('type="radio"') == 3 and 'value="Energy"' in form
    arrival = meeting.start_date.isoformat()
    token = token_of(register(host, meeting, **{
        f"q_{kinds['text'].id}": "Hotel Bristol", f"q_{kinds['long_text'].id}": "Good debates\non port cities",
        f"q_{kinds['yes_no'].id}": "y", f"q_{kinds['choice'].id}": "M",
        f"q_{kinds['multiple_choice'].id}": ["Logistics", "Energy"], f"q_{kinds['date'].id}": arrival,
        f"q_{kinds['number'].id}": "2",
    }))
    assert answers(app, kinds["text"].id) == ["Hotel Bristol"]
    assert answers(app, kinds["long_text"].id) == ["Good debates\non port cities"]
    assert answers(app, kinds["yes_no"].id) == ["yes"]
    assert answers(app, kinds["choice"].id) == ["M"]
    assert answers(app, kinds["multiple_choice"].id) == ["Logistics", "Energy"]
    assert answers(app, kinds["date"].id) == [arrival]
    assert answers(app, kinds["number"].id) == ["2"]

    own = page_text(host.get(f"/registrations/{token}"))
    assert "Hotel Bristol" in own and "Logistics, Energy" in own and "Nights at the hotel" in own
    # The edit form shows the answers; the delegate changes one and the others stay.
    edit = host.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert 'value="Hotel Bristol"' in edit and re.search(r'value="M"[^>]*checked|checked[^>]*value="M"', edit)
    changed = form_data(**{f"q_{kinds['text'].id}": "Hotel Savoia", f"q_{kinds['choice'].id}": "L",
                           f"q_{kinds['multiple_choice'].id}": ["Culture"], f"q_{kinds['date'].id}": arrival,
                           f"q_{kinds['number'].id}": "3"})
    changed[kinds["multiple_choice"].field_name] = ["Culture", "Culture"]  # sent twice, kept once
    assert host.post_form(f"/registrations/{token}/edit", changed).status_code == 303
    assert answers(app, kinds["text"].id) == ["Hotel Savoia"]
    assert answers(app, kinds["multiple_choice"].id) == ["Culture"]
    assert answers(app, kinds["yes_no"].id) == ["no"]  # the box left unticked
    assert answers(app, kinds["long_text"].id) == []


@pytest.mark.parametrize("kind, extra, value, message", [
    ("choice", {"choices": "S\nM\nL"}, "XXL", "Choose one of the answers offered."),
    ("multiple_choice", {"choices": "A\nB"}, "C", "Choose among the answers offered."),
    ("number", {"min_value": "1", "max_value": "5"}, "6", "Enter a number from 1 to 5."),
    ("number", {"min_value": "1"}, "0", "Enter a number of at least 1."),
    ("number", {}, "lots", "Enter a number."),
    ("number", {}, "NaN", "Enter a number."),
    ("number", {}, "1e999", "Enter a number."),
    ("date", {"dates_in_meeting_month": "y"}, "2001-01-01", "Enter a date from"),
    ("date", {}, "31/12/2030", "Enter a date as YYYY-MM-DD."),
    ("text", {}, "x" * 10_000, "At most 300 characters, please."),
    ("long_text", {}, "x" * 10_000, "At most 3000 characters, please."),
])
def test_bad_answers_get_a_message_beside_the_field_and_nothing_is_saved(app, host, meeting, kind, extra, value,
                                                                          message):
    question = add_question(host, meeting, label="Question", kind=kind, **extra)
    before = _registrations(app)
    response = register(host, meeting, **{question.field_name: value})
    assert response.status_code == 400
    assert message in error_beside(response, question.field_name)
    assert _registrations(app) == before and answers(app, question.id) == []


def _registrations(app) -> int:
    from portmeet.registration.models import Registration

    with app.app_context():
        return db.session.scalar(select(func.count(Registration.id)))


def test_required_questions_and_the_tick_box(app, host, meeting):
    hotel = add_question(host, meeting, label="Hotel", kind="text", required="y")
    consent = add_question(host, meeting, label="I accept the code of conduct", kind="yes_no", required="y")
    response = register(host, meeting)
    assert response.status_code == 400
    assert error_beside(response, hotel.field_name) == "This field is required."
    assert error_beside(response, consent.field_name) == "Tick this box to go on."
    assert "Hotel (required)" in page_text(response)
    token_of(register(host, meeting, **{hotel.field_name: "Bristol", consent.field_name: "y"}))


def test_a_question_added_while_delegates_register_is_asked_by_the_next_form(app, host, meeting):
    """A meeting asking no questions costs its registrations no query for them (kept per worker process with
    the meeting's content version); the host's new question is asked and checked at once all the same."""
    token_of(register(host, meeting, email="first@example.org"))
    hotel = add_question(host, meeting, label="Hotel", kind="text", required="y")
    assert hotel.field_name in host.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    response = register(host, meeting, email="second@example.org")
    assert response.status_code == 400
    assert error_beside(response, hotel.field_name) == "This field is required."
    token_of(register(host, meeting, email="second@example.org", **{hotel.field_name: "Bristol"}))
    assert answers(app, hotel.id) == ["Bristol"]
    assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/{hotel.id}/hide", {"hidden": "y"}).status_code == 303
    token_of(register(host, meeting, email="third@example.org"))  # hidden: no longer asked


def test_a_visits_question_is_asked_only_of_those_who_pick_it(app, host, meeting, make_visit):
    terminal = make_visit(meeting, title="Container terminal", capacity=10)
    museum = make_visit(meeting, title="Museum", start_time=time(9), end_time=time(10))
    size = add_question(host, meeting, label="Hard hat size", kind="choice", choices="S\nM\nL", required="y",
                        visit=str(terminal.id))
    form = page_text(host.get(f"/meetings/{meeting.slug}/register"))
    assert "Only if you pick “Container terminal”." in form
    # Not picked: not required, and an answer sent anyway is not kept.
    token_of(register(host, meeting, visits=[str(museum.id)], **{size.field_name: "M"}))
    assert answers(app, size.id) == []
    response = register(host, meeting, email="b@example.org", visits=[str(terminal.id)])
    assert response.status_code == 400 and error_beside(response, size.field_name) == "This field is required."
    token = token_of(register(host, meeting, email="b@example.org", visits=[str(terminal.id)], **{size.field_name: "L"}))
    assert answers(app, size.id) == ["L"]
    # Dropping the visit drops the answer.
    assert host.post_form(f"/registrations/{token}/edit", form_data(email="b@example.org")).status_code == 303
    assert answers(app, size.id) == []


def test_host_orders_questions_up_and_down_without_script(app, host, meeting):
    first = add_question(host, meeting, label="First question")
    add_question(host, meeting, label="Second question")
    third = add_question(host, meeting, label="Third question")
    url = f"/manage/meetings/{meeting.slug}/questions/{third.id}/move"
    assert host.post_form(url, {"direction": "up"}).status_code == 303
    assert host.post_form(url, {"direction": "up"}).status_code == 303
    assert host.post_form(url, {"direction": "up"}).status_code == 303  # already first: nothing moves
    form = page_text(host.get(f"/meetings/{meeting.slug}/register"))
    assert form.index("Third question") < form.index("First question") < form.index("Second question")
    assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/{first.id}/move",
                          {"direction": "down"}).status_code == 303
    listing = page_text(host.get(f"/manage/meetings/{meeting.slug}/questions/"))
    assert listing.index("Third question") < listing.index("Second question") < listing.index("First question")
    assert host.post_form(url, {"direction": "sideways"}).status_code == 400
    activity = page_text(host.get(f"/manage/meetings/{meeting.slug}/activity"))
    assert "Registration question added" in activity and "Registration question moved" in activity
    assert "Third question" in activity


def test_ready_made_sets_in_one_click_each_once(app, host, meeting):
    assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/presets/travel").status_code == 303
    assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/presets/travel").status_code == 303
    for name in ("photo", "emergency"):
        assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/presets/{name}").status_code == 303
    with app.app_context():
        labels = list(db.session.scalars(select(Question.label).order_by(Question.position)))
    assert labels == ["Arrival date", "Arrival time", "Arriving by", "Departure date", "Departure time", "Hotel",
                      "May we use photos and videos in which you appear?", "Emergency contact: name",
                      "Emergency contact: phone number"]
    assert host.post_form(f"/manage/meetings/{meeting.slug}/questions/presets/nothing").status_code == 404
    # The set speaks the delegate's language.
    french = page_text(host.get(f"/meetings/{meeting.slug}/register", headers={"Accept-Language": "fr"}))
    assert "Date d’arrivée" in french and "Train" in french


def test_help_text_is_shown_under_the_question_in_the_page_language(app, host, meeting):
    question = add_question(host, meeting, label="Hotel", kind="text", help_text="Where you will sleep.",
                            label_fr="Hôtel", help_text_fr="Où vous dormirez.")
    form = host.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    hint = f'<p class="hint" id="{question.field_name}-hint">Where you will sleep.</p>'
    assert hint in form and f'aria-describedby="{question.field_name}-hint' in form
    french = host.get(f"/meetings/{meeting.slug}/register", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Où vous dormirez." in french and "Where you will sleep." not in french


def test_label_and_choices_in_each_language(app, host, meeting):
    question = add_question(host, meeting, label="Hard hat size", kind="choice", choices="Small\nLarge",
                            label_fr="Taille du casque", choices_fr="Petit\nGrand",
                            label_es="Talla del casco", choices_es="Pequeño\nGrande")
    french = host.get(f"/meetings/{meeting.slug}/register", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Taille du casque" in french and 'value="Small"' in french and "Petit" in french
    token_of(register(host, meeting, headers={"Accept-Language": "es"}, **{question.field_name: "Large"}))
    assert answers(app, question.id) == ["Large"]  # stored in the meeting's language, whatever the page's
    # A translation with a different number of choices is refused.
    response = host.post_form(f"/manage/meetings/{meeting.slug}/questions/{question.id}/edit", {
        "label": "Hard hat size", "kind": "choice", "choices": "Small\nLarge", "choices_fr": "Petit"})
    assert response.status_code == 400 and "as many choices" in error_beside(response, "choices_fr")


def test_answered_question_is_hidden_not_deleted(app, host, meeting):
    question = add_question(host, meeting, label="Hotel")
    unused = add_question(host, meeting, label="Unused question")
    token_of(register(host, meeting, **{question.field_name: "Bristol"}))
    base = f"/manage/meetings/{meeting.slug}/questions"
    assert "cannot be deleted" in page_text(host.get(f"{base}/{question.id}/delete"))
    assert host.post_form(f"{base}/{question.id}/delete", {"confirm": "y"}).status_code == 409
    assert host.post_form(f"{base}/{question.id}/hide", {"hidden": "y"}).status_code == 303
    assert question.field_name not in host.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    assert answers(app, question.id) == ["Bristol"]
    # Staff still read the answer of the hidden question.
    with app.app_context():
        registration_id = db.session.scalar(select(Answer.registration_id))
    detail = page_text(host.get(f"/manage/meetings/{meeting.slug}/registrations/{registration_id}"))
    assert "Bristol" in detail and "hidden question" in detail
    # Nobody answered the other one: it goes after a confirmation.
    assert host.post_form(f"{base}/{unused.id}/delete").status_code == 200
    assert host.post_form(f"{base}/{unused.id}/delete", {"confirm": "y"}).status_code == 303
    with app.app_context():
        assert db.session.get(Question, unused.id) is None
    # The kind of an answered question cannot change.
    response = host.post_form(f"{base}/{question.id}/edit", {"label": "Hotel", "kind": "number"})
    assert response.status_code == 400 and "kind cannot change" in page_text(response)


def test_host_question_form_refuses_bad_settings(host, meeting, make_meeting):
    base = f"/manage/meetings/{meeting.slug}/questions/new"
    cases = [({"label": "", "kind": "text"}, "label", "This field is required."),
             ({"label": "Size", "kind": "choice", "choices": "Only one"}, "choices", "at least two choices"),
             ({"label": "Size", "kind": "choice", "choices": "S\ns"}, "choices", "only once"),
             ({"label": "N", "kind": "number", "min_value": "5", "max_value": "1"}, "max_value", "must not be smaller"),
             ({"label": "N", "kind": "number", "max_value": "1e20"}, "max_value", "below one billion"),
             # Alone, too: the column holds less than ten billion (PostgreSQL refused it with a 500).
             ({"label": "N", "kind": "number", "min_value": "1e20"}, "min_value", "below one billion"),
             ({"label": "N", "kind": "number", "min_value": "-1e20", "max_value": "5"}, "min_value",
              "below one billion"),
             ({"label": "N", "kind": "number", "min_value": "NaN"}, "min_value", "below one billion"),
             ({"label": "N", "kind": "number", "min_value": "1", "max_value": "lots"}, "max_value", "Not a valid"),
             ({"label": "N", "kind": "text", "visit": "999"}, "visit", "Pick a field visit")]
    for data, field, message in cases:
        response = host.post_form(base, data)
        assert response.status_code == 400, data
        assert message in error_beside(response, field), data


def test_staff_see_answers_filter_by_choice_and_get_one_column_per_question(app, host, meeting):
    size = add_question(host, meeting, label="Hard hat size", kind="choice", choices="S\nM\nL")
    topics = add_question(host, meeting, label="Topics", kind="multiple_choice", choices="Logistics\nCulture")
    hotel = add_question(host, meeting, label="=Hotel", kind="text")
    token_of(register(host, meeting, **{size.field_name: "S", topics.field_name: ["Logistics", "Culture"],
                                        hotel.field_name: "=cmd|' /C calc'!A0"}))
    token_of(register(host, meeting, first_name="Jean", last_name="Dubois", email="jean@example.fr",
                      **{size.field_name: "L", topics.field_name: ["Culture"]}))
    table = f"/manage/meetings/{meeting.slug}/registrations"
    listing = host.get(table).get_data(as_text=True)
    assert f'value="{size.id}:M"' in listing
    only_s = page_text(host.get(f"{table}?answer={size.id}:S"))
    assert "Ruiz" in only_s and "Dubois" not in only_s
    culture = page_text(host.get(f"{table}?answer={topics.id}:Culture"))
    assert "Ruiz" in culture and "Dubois" in culture
    assert host.get(f"{table}?answer=nonsense").status_code == 200

    text = host.get(f"{table}.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {row["last name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["Ruiz"]["Hard hat size"] == "S" and rows["Ruiz"]["Topics"] == "Logistics; Culture"
    assert rows["Dubois"]["Hard hat size"] == "L" and rows["Dubois"]["Topics"] == "Culture"
    header = next(csv.reader(io.StringIO(text)))
    assert header[-3:] == ["Hard hat size", "Topics", "'=Hotel"]  # formula guard on labels and answers too
    assert rows["Ruiz"]["'=Hotel"].startswith("'=")
    with app.app_context():
        registration_id = db.session.scalar(select(Answer.registration_id).where(Answer.value == "S"))
    assert "Logistics, Culture" in page_text(host.get(f"{table}/{registration_id}"))


def test_a_question_can_be_shown_on_visit_manifests(app, host, meeting, make_visit):
    boat = make_visit(meeting, title="Port tour by boat")
    size = add_question(host, meeting, label="Life-jacket size", kind="choice", choices="S\nM\nL", on_manifest="y")
    add_question(host, meeting, label="Hotel", kind="text")
    token_of(register(host, meeting, visits=[str(boat.id)], **{size.field_name: "M"}))
    text = host.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["Life-jacket size"] == "M" and "Hotel" not in rows[0]
    from pypdf import PdfReader

    pdf = host.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.pdf")
    assert pdf.status_code == 200
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Life-jacket size" in words and "Ruiz" in words
