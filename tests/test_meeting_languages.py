"""Hosts write the meeting's title and description, and each session's and visit's, in English, French and
Spanish; a visitor reads their own language, else the meeting's default."""
import html

from sqlalchemy import select

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.registration import mail
from portmeet.meetings.models import ProgrammeSession
from portmeet.registration.models import OutboxMessage
from tests.test_registration import form_data, page_text


def speaking(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def text(response) -> str:
    return html.unescape(page_text(response))


def test_hosts_write_each_text_in_three_languages_and_visitors_read_their_own(app, client, make_meeting, make_user):
    meeting = make_meeting(title="Rencontre Ville-Port Marseille", description="Deux jours de débats.", language="fr",
                           city="Marseille", country="FR", timezone="Europe/Paris")
    host = make_user(hosts=(meeting,))
    client.login(host.email)
    edit = client.get(f"/manage/meetings/{meeting.slug}/edit").get_data(as_text=True)
    assert 'name="title_en"' in edit and 'name="description_es"' in edit
    from tests.test_meetings import meeting_form

    data = meeting_form(slug=meeting.slug, title="Rencontre Ville-Port Marseille", description="Deux jours de débats.",
                        city="Marseille", country="FR", timezone="Europe/Paris", language="fr",
                        start_date=meeting.start_date.isoformat(), end_date=meeting.end_date.isoformat(),
                        registration_closes=meeting.registration_closes.strftime("%Y-%m-%dT%H:%M"),
                        status="published", title_en="Port-City Meeting Marseille",
                        description_en="Two days of debates.\n\nAnd a boat tour.",
                        title_es="Encuentro Ciudad-Puerto Marsella")
    assert client.post_form(f"/manage/meetings/{meeting.slug}/edit", data).status_code == 303
    response = client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new", {
        "day": meeting.start_date.isoformat(), "start_time": "09:00", "end_time": "10:00", "title": "Ouverture",
        "kind": "plenary", "title_en": "Opening", "description_en": "Welcome <b>all</b>", "title_es": "Apertura"})
    assert response.status_code == 303
    response = client.post_form(f"/manage/meetings/{meeting.slug}/visits/new", {
        "title": "Visite du port en bateau", "day": meeting.start_date.isoformat(), "start_time": "15:00",
        "end_time": "17:00", "transport": "boat", "capacity": "12", "title_en": "Port tour by boat"})
    assert response.status_code == 303
    # The form shows what was written, to change it later.
    with app.app_context():
        session = db.session.scalar(select(ProgrammeSession).where(ProgrammeSession.meeting_id == meeting.id))
        assert session.translations == {"en": {"title": "Opening", "description": "Welcome <b>all</b>"},
                                        "es": {"title": "Apertura"}}
    assert 'value="Apertura"' in client.get(
        f"/manage/meetings/{meeting.slug}/sessions/{session.id}/edit").get_data(as_text=True)
    client.post_form("/logout")

    english = text(speaking(client, "en").get(f"/meetings/{meeting.slug}/"))
    assert "Port-City Meeting Marseille" in english and "Two days of debates." in english
    assert "Opening" in english and "Welcome <b>all</b>" in english and "Port tour by boat" in english
    assert "Rencontre Ville-Port Marseille" not in english
    assert "<b>all</b>" not in client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)  # escaped

    spanish = text(speaking(client, "es").get(f"/meetings/{meeting.slug}/"))
    assert "Encuentro Ciudad-Puerto Marsella" in spanish and "Apertura" in spanish
    # No Spanish description or visit title: the meeting's default language (French) shows.
    assert "Deux jours de débats." in spanish and "Visite du port en bateau" in spanish

    french = text(speaking(client, "fr").get(f"/meetings/{meeting.slug}/"))
    assert "Rencontre Ville-Port Marseille" in french and "Ouverture" in french and "Opening" not in french

    programme = pdf_text(read_pdf(speaking(client, "en").get(f"/meetings/{meeting.slug}/programme.pdf")))
    assert "Port-City Meeting Marseille" in programme and "Opening" in programme
    assert "Port-City Meeting Marseille" in text(speaking(client, "en").get("/"))


def test_a_delegates_e_mail_uses_their_language_for_the_meeting_title(app, client, make_meeting):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao", language="en",
                           translations={"es": {"title": "Encuentro Puerto Ciudadano Bilbao"}})
    speaking(client, "es").post_form(f"/meetings/{meeting.slug}/register", form_data())
    with app.app_context():
        mail.write_confirmations()  # as the sender does first: a confirmation's text, from its decision
        message = db.session.scalar(select(OutboxMessage))
    assert message.subject.startswith("Encuentro Puerto Ciudadano Bilbao")
    assert "Encuentro Puerto Ciudadano Bilbao" in message.body
