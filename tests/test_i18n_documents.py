"""What a French or Spanish port authority reads: e-mails signed by the host organisation, counts printed as a
label and its figures (French no-break spaces kept in the PDF), the badge band of the host organisation,
edition ordinals."""
import html
import re

import pytest

from portmeet.extensions import db
from portmeet.registration import mail
from portmeet.registration.models import BookingStatus, Category, Registration, RegistrationStatus, VisitBooking
from tests.documents_support import manager_client, pdf_text, read_pdf

NBSP, NNBSP = "\u00a0", "\u202f"

SIGN_OFF = {
    "en": "Kind regards,\nThe organising team, Bilbao Port Authority\n",
    "fr": "Cordialement,\nL’équipe d’organisation, Bilbao Port Authority\n",
    "es": "Atentamente,\nEl equipo organizador, Bilbao Port Authority\n",
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_email_ends_with_the_sign_off_of_the_host_organisation(app, runner, smtp_server, make_meeting, make_visit,
                                                                      make_registration, language):
    meeting = make_meeting()
    visit = make_visit(meeting)
    delegate = make_registration(meeting, visits=(visit,), language=language, email="ana@example.org")
    with app.app_context():
        registration = db.session.get(Registration, delegate.id)
        mail.queue_confirmation(registration, delegate.token)
        mail.queue_link(registration, delegate.token)
        mail.queue_promotion(registration)
        mail.queue_visit_promotion(registration, registration.bookings[0].visit)
        mail.queue_changed_by_organiser(registration)
        mail.queue_cancellation(registration, by_organiser=True)
        db.session.commit()
    assert "6 sent" in runner.invoke(args=["send-mail"]).output
    messages = smtp_server.to("ana@example.org")
    assert len(messages) == 6
    for message in messages:
        assert SIGN_OFF[language] in message.get_content().replace("\r\n", "\n"), message["Subject"]


def test_without_a_host_organisation_the_organising_team_signs(app, runner, smtp_server, make_meeting, make_registration):
    meeting = make_meeting(host_organisation="")
    delegate = make_registration(meeting, language="fr", email="ana@example.org")
    with app.app_context():
        mail.queue_link(db.session.get(Registration, delegate.id), delegate.token)
        db.session.commit()
    runner.invoke(args=["send-mail"])
    [message] = smtp_server.to("ana@example.org")
    assert "Cordialement,\nL’équipe d’organisation\n" in message.get_content().replace("\r\n", "\n")
    assert message["Subject"].endswith(f"{NBSP}: votre lien privé")


@pytest.fixture
def boat(app, make_meeting, make_visit, make_registration):
    """A boat tour of 20 places with one delegate booked and one waiting."""
    meeting = make_meeting(edition=7)
    visit = make_visit(meeting, capacity=20, title="Port tour by boat")
    make_registration(meeting, visits=(visit,), last_name="Aboard")
    waiting = make_registration(meeting, last_name="Waiting", category=Category.host)
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=visit.id, status=BookingStatus.waitlisted))
        db.session.commit()
    return meeting, visit


@pytest.mark.parametrize("language, expected", [
    ("en", ["Places booked: 1 of 20", "Waitlist: 1", "Booked (1)", "Edition 7"]),
    ("fr", [f"Places réservées{NBSP}: 1 sur 20", f"Liste d’attente{NBSP}: 1", "Participants inscrits (1)", "7e édition",
            f"Liste nominative de la visite technique{NBSP}: Port tour by boat"]),
    ("es", ["Plazas reservadas: 1 de 20", "Lista de espera: 1", "Participantes inscritos (1)", "7.ª edición",
            "Relación nominal de la visita técnica: Port tour by boat"]),
])
def test_manifest_prints_each_count_as_a_label_and_its_figures(client, make_user, boat, language, expected):
    meeting, visit = boat
    manager = manager_client(client, make_user, meeting)
    response = manager.get(f"/manage/meetings/{meeting.slug}/visits/{visit.id}/manifest.pdf",
                           headers={"Accept-Language": language})
    text = pdf_text(read_pdf(response))
    for words in expected:
        assert words in text, words
    assert "réservées sur" not in text and "1 places" not in text


@pytest.mark.parametrize("language, expected", [
    ("en", "Places left: 19 of 20"), ("fr", f"Places restantes{NBSP}: 19 sur 20"), ("es", "Plazas libres: 19 de 20")])
def test_meeting_page_shows_places_left_as_a_label_and_its_figures(client, boat, language, expected):
    # Places left change by the minute: the meeting page shows them, the printed programme no longer does.
    meeting, _visit = boat
    response = client.get(f"/meetings/{meeting.slug}/", headers={"Accept-Language": language})
    assert expected in html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    assert expected not in pdf_text(read_pdf(client.get(f"/meetings/{meeting.slug}/programme.pdf",
                                                        headers={"Accept-Language": language})))


@pytest.mark.parametrize("language, band", [("fr", "ORGANISATION D’ACCUEIL"), ("es", "ORGANIZACIÓN ANFITRIONA")])
def test_badge_band_of_the_host_organisation_reads_as_such(client, make_user, boat, language, band):
    meeting, _visit = boat
    manager = manager_client(client, make_user, meeting)
    response = manager.get(f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a6&status=all&lang={language}")
    text = pdf_text(read_pdf(response))
    assert band in text.upper() and "HÔTE" not in text.upper()


@pytest.mark.parametrize("edition, language, expected", [
    (1, "fr", "1re édition"), (7, "fr", "7e édition"), (1, "es", "1.ª edición"), (7, "es", "7.ª edición"),
    (1, "en", "First edition"), (7, "en", "Edition 7")])
def test_edition_is_written_as_an_ordinal_of_the_language(client, make_meeting, edition, language, expected):
    meeting = make_meeting(edition=edition)
    page = client.get(f"/meetings/{meeting.slug}/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert expected in page



@pytest.mark.parametrize("language, one, two", [("fr", "</strong> confirmée</a>", "</strong> annulées</a>"),
                                                ("es", "</strong> confirmada</a>", "</strong> canceladas</a>")])
def test_dashboard_words_agree_with_the_number_shown(client, make_user, make_meeting, make_registration, language, one, two):
    meeting = make_meeting()
    make_registration(meeting)
    for _ in range(2):
        make_registration(meeting, status=RegistrationStatus.cancelled)
    manager = manager_client(client, make_user, meeting)
    page = manager.get(f"/manage/meetings/{meeting.slug}/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f"<strong>1{one}" in page and f"<strong>2{two}" in page


def test_account_emails_are_signed_too(client, runner, smtp_server, make_user):
    make_user()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    client.post_form("/reset-password", {"email": "host@example.org"})
    runner.invoke(args=["send-mail"])
    [message] = smtp_server.to("host@example.org")
    body = message.get_content().replace("\r\n", "\n")
    assert "pendant 1 heure" in body and "Cordialement,\nL’équipe d’organisation\n" in body
