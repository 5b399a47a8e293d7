"""Delegates read the pages, the form errors and their e-mails in English, French or Spanish, with dates,
counts and country names of their language; right-to-left names keep their direction."""
import html
import re
from datetime import date, time
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import Registration
from tests.test_registration import form_data, page_text, register, registration_count, token_of

OCTOBER_24 = date(2031, 10, 24)

PAGE = {
    "en": ["Programme", "Field visit", "Register", "October 24–25, 2031", "Friday, October 24, 2031", "Spain",
           "Places left: 1 of 1", "All times are local time in Bilbao", "Registration closes on October 23, 2031, 23:59."],
    "fr": ["Programme", "Visite technique", "S’inscrire", "24–25 octobre 2031", "vendredi 24 octobre 2031", "Espagne",
           "Places restantes : 1 sur 1", "Tous les horaires sont indiqués en heure locale",
           "Clôture des inscriptions le 23 octobre 2031, 23:59."],
    "es": ["Programa", "Visita técnica", "Inscribirse", "24–25 de octubre de 2031", "viernes, 24 de octubre de 2031",
           "España", "Plazas libres: 1 de 1", "Todos los horarios se indican en hora local",
           "Las inscripciones se cierran el 23 de octubre de 2031, 23:59."],
}


def text_of(response) -> str:
    return html.unescape(page_text(response))


def speaking(client, language: str):
    """The client from now on is a browser that asks for this language."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def october_meeting(make_meeting, make_session, make_visit):
    meeting = make_meeting(start_date=OCTOBER_24, title="Citizen Port Meeting Bilbao", city="Bilbao", country="ES")
    make_session(meeting, title="Opening plenary", start_time=time(9), end_time=time(10))
    meeting.visit = make_visit(meeting, title="Container terminal", capacity=1, requires_id=True,
                               id_deadline=date(2031, 10, 1))
    return meeting


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_meeting_page_in_the_browsers_language(client, october_meeting, language):
    response = speaking(client, language).get(f"/meetings/{october_meeting.slug}/")
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.get_data(as_text=True)
    text = text_of(response)
    for expected in PAGE[language]:
        assert expected in text, f"{language}: {expected!r} missing"


FORM_ERRORS = {
    # (our message for a missing name, WTForms' own for a too long name, and for a date it cannot read)
    "en": ("This field is required.", "Field cannot be longer than 100 characters.", "Not a valid date value.",
           "Please correct the fields marked below."),
    "fr": ("Ce champ est obligatoire.", "Le champ ne peut pas contenir plus de 100 caractères.",
           "N'est pas une date valide.", "Veuillez corriger les champs signalés ci-dessous."),
    "es": ("Este campo es obligatorio.", "El campo no puede tener más de 100 caracteres.", "No es una fecha válida.",
           "Corrija los campos marcados a continuación."),
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_registration_form_errors_in_the_language_including_wtforms_own(app, client, october_meeting, language):
    visit = october_meeting.visit
    response = speaking(client, language).post_form(f"/meetings/{october_meeting.slug}/register", form_data(
        first_name="", last_name="L" * 101, visits=[str(visit.id)], nationality="ES", id_number="X123",
        date_of_birth="31/12/1980"))
    assert response.status_code == 400
    text = text_of(response)
    for message in FORM_ERRORS[language]:
        assert message in text, f"{language}: {message!r} missing"
    assert "L" * 101 in response.get_data(as_text=True)  # what the delegate typed is kept
    assert registration_count(app) == 0


def country_options(response) -> list[str]:
    select_html = re.search(r'<select[^>]*name="country".*?</select>', response.get_data(as_text=True), re.S).group(0)
    return [html.unescape(name) for name in re.findall(r"<option[^>]*>([^<]+)</option>", select_html)][1:]


@pytest.mark.parametrize("language, in_order", [
    ("en", ["Åland Islands", "Albania", "Belgium", "Côte d’Ivoire", "Croatia", "Egypt", "Spain", "Zimbabwe"]),
    ("fr", ["Afrique du Sud", "Allemagne", "Belgique", "Égypte", "Émirats arabes unis", "Équateur", "Espagne",
            "États-Unis", "Éthiopie", "Fidji", "Zimbabwe"]),
    ("es", ["Afganistán", "Alemania", "Bélgica", "Benín", "Egipto", "España", "Estados Unidos", "Zimbabue"]),
])
def test_country_select_names_countries_in_the_language_in_its_alphabetical_order(client, october_meeting,
                                                                                   language, in_order):
    options = country_options(speaking(client, language).get(f"/meetings/{october_meeting.slug}/register"))
    assert len(options) > 240
    positions = [options.index(name) for name in in_order]
    assert positions == sorted(positions), f"{language}: {in_order} not in this order in {options}"


MAIL = {
    "en": ("Citizen Port Meeting Bilbao: your registration is confirmed", "Dear Ana,",
           "Thank you for registering for Citizen Port Meeting Bilbao.", "October 24–25, 2031"),
    "fr": ("Citizen Port Meeting Bilbao\u00a0: votre inscription est confirmée", "Bonjour Ana,",
           "Merci de votre inscription à Citizen Port Meeting Bilbao.", "24–25 octobre 2031"),
    "es": ("Citizen Port Meeting Bilbao: su inscripción está confirmada", "Estimado/a Ana:",
           "Gracias por inscribirse en Citizen Port Meeting Bilbao.", "24–25 de octubre de 2031"),
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_confirmation_email_in_the_language_the_delegate_registered_in(client, runner, smtp_server, october_meeting,
                                                                       language):
    token_of(register(speaking(client, language), october_meeting))
    assert "1 sent" in runner.invoke(args=["send-mail"]).output
    [message] = smtp_server.to("ana.ruiz@example.org")
    subject, greeting, thanks, dates = MAIL[language]
    body = message.get_content()
    assert message["Subject"] == subject
    assert greeting in body and thanks in body and dates in body


def test_promotion_email_keeps_the_delegates_language_whoever_frees_the_place(app, client, runner, smtp_server,
                                                                              october_meeting, make_meeting):
    meeting = make_meeting(capacity=1, start_date=OCTOBER_24, title="Reunión de Valencia")
    first = token_of(register(speaking(client, "en"), meeting, email="first@example.org"))
    token_of(register(speaking(client, "es"), meeting, email="segunda@example.org", first_name="Lucía"))
    client.post_form(f"/registrations/{first}/cancel", headers={"Accept-Language": "en"})  # freed by an English reader
    runner.invoke(args=["send-mail"])
    waitlisted, promoted = smtp_server.to("segunda@example.org")
    assert waitlisted["Subject"] == "Reunión de Valencia: está en la lista de espera"
    assert promoted["Subject"] == "Reunión de Valencia: se le ha asignado una plaza"
    assert "Buenas noticias" in promoted.get_content() and "Estimado/a Lucía:" in promoted.get_content()
    [cancelled] = [m for m in smtp_server.to("first@example.org") if "cancelled" in m["Subject"]]
    assert "Your registration for Reunión de Valencia is cancelled" in cancelled.get_content()
    with app.app_context():
        assert db.session.scalar(select(Registration.language).where(Registration.email == "segunda@example.org")) == "es"


@pytest.mark.parametrize("language, title, message", [
    ("en", "Page not found", "There is nothing at this address."),
    ("fr", "Page introuvable", "Il n’y a rien à cette adresse."),
    ("es", "Página no encontrada", "No hay nada en esta dirección."),
])
def test_error_page_in_the_language(client, language, title, message):
    response = speaking(client, language).get("/meetings/no-such-meeting/")
    assert response.status_code == 404
    assert title in text_of(response) and message in text_of(response)


def test_chosen_language_stays_for_the_whole_visit(client, october_meeting):
    speaking(client, "es").post_form("/language", {"lang": "fr", "next": "/"})
    for url in ("/", f"/meetings/{october_meeting.slug}/", f"/meetings/{october_meeting.slug}/register"):
        page = client.get(url).get_data(as_text=True)
        assert '<html lang="fr"' in page, url
        assert '<option lang="fr" selected value="fr">Français</option>' in page  # the selector shows the choice


# --- right-to-left text inside left-to-right pages -----------------------------------------------

class DirectionOf(HTMLParser):
    """The direction of the element that directly holds each piece of text, and of each input's value:
    "auto" for dir="auto" or a <bdi> (user text isolated inside a translated sentence)."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            if tag == "input" and attrs.get("value"):
                self.texts.append((attrs["value"], attrs.get("dir")))
            return
        self.stack.append({"tag": tag, **attrs})

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if data.strip() and self.stack and self.stack[-1]["tag"] != "title":  # the tab's title is not in the page
            top = self.stack[-1]
            self.texts.append((data, "auto" if top["tag"] == "bdi" else top.get("dir")))


def directions(response, needle: str) -> list:
    parser = DirectionOf()
    parser.feed(response.get_data(as_text=True))
    found = [direction for text, direction in parser.texts if needle in text]
    assert found, f"{needle!r} not on the page"
    return found


HEBREW_SESSION = "מפגש הנמל והעיר"
ARABIC_SPEAKER = "ليلى حداد"
ARABIC_ORGANISATION = "ميناء طنجة المتوسط"


def test_hebrew_and_arabic_user_text_gets_its_own_direction_in_a_left_to_right_page(
        client, organiser, make_meeting, make_session):
    meeting = make_meeting(title="כנס ערי נמל", city="חיפה", host_organisation="נמל חיפה")
    make_session(meeting, title=HEBREW_SESSION, room="אולם א", speakers=[(ARABIC_SPEAKER, ARABIC_ORGANISATION, "MA")])
    page = client.get(f"/meetings/{meeting.slug}/")
    assert '<html lang="en">' in page.get_data(as_text=True) and 'dir="rtl"' not in page.get_data(as_text=True)
    for needle in ("כנס ערי נמל", "חיפה", "נמל חיפה", HEBREW_SESSION, "אולם א", ARABIC_SPEAKER):
        assert set(directions(page, needle)) == {"auto"}, needle

    token = token_of(register(client, meeting, first_name="ليلى", last_name="حداد", organisation=ARABIC_ORGANISATION))
    own = client.get(f"/registrations/{token}")
    for needle in ("ليلى حداد", ARABIC_ORGANISATION):
        assert set(directions(own, needle)) == {"auto"}, needle
    form = client.get(f"/registrations/{token}/edit")
    assert set(directions(form, ARABIC_ORGANISATION)) == {"auto"}  # the input the delegate types in

    client.login(organiser.email)
    table = client.get(f"/manage/meetings/{meeting.slug}/registrations")
    for needle in ("حداد, ليلى", ARABIC_ORGANISATION):
        assert set(directions(table, needle)) == {"auto"}, needle
