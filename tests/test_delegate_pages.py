"""What delegates stumbled on: a full meeting said so only afterwards, a replaced link led nowhere, the
itinerary and the date-of-birth hint misled, descriptions lost their lines."""
import html
import re

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.registration import mail
from portmeet.meetings.models import Transport
from portmeet.registration.models import OutboxMessage, RegistrationLink
from sqlalchemy import select
from tests.test_registration import form_data, page_text, register, token_of


def text(response) -> str:
    return html.unescape(page_text(response))


# --- 1. a full meeting --------------------------------------------------------------------------------

def test_a_full_meeting_says_so_before_the_form_and_words_the_result_by_the_outcome(app, client, make_meeting,
                                                                                    make_visit):
    meeting = make_meeting(capacity=1)
    bus = make_visit(meeting, title="Bus to the logistics zone", transport=Transport.bus, capacity=22)
    first = register(client, meeting, email="first@example.org")
    assert "you have a place at the meeting" in text(client.get(first.headers["Location"]))

    meeting_page = text(client.get(f"/meetings/{meeting.slug}/"))
    assert "The meeting is full. You can still register to join its waiting list" in meeting_page
    assert "Join the waiting list" in meeting_page
    form_page = text(client.get(f"/meetings/{meeting.slug}/register"))
    assert form_page.index("The meeting is full.") < form_page.index('First name')
    assert "While you wait for a place at the meeting, your picks wait with you" in form_page

    response = register(client, meeting, email="second@example.org", visits=[str(bus.id)])
    own_page = text(client.get(token_of(response) and response.headers["Location"]))
    assert "you are registered" not in own_page and "Confirmed" not in own_page
    assert "The meeting is full, so you are on its waiting list, number 1" in own_page
    assert 'alert success' not in client.get(response.headers["Location"]).get_data(as_text=True)
    # The bus has 21 free places: the pick waits for the delegate's own place, not behind anyone on the bus.
    assert "waitlist, until you have a place at the meeting" in own_page
    assert "waitlist, position" not in own_page
    assert "your field-visit picks wait with you" in own_page
    with app.app_context():
        mail.write_confirmations()  # as the sender does first: a confirmation's text, from its decision
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "second@example.org"))
    assert "waitlist, until you have a place at the meeting" in body and "waitlist, position" not in body


# --- 2. a link replaced by a re-send -------------------------------------------------------------------

def test_a_revoked_link_says_it_is_no_longer_valid_and_offers_a_new_one(app, client, make_meeting):
    meeting = make_meeting(title="Citizen Port Meeting Genoa")
    old_token = token_of(register(client, meeting))
    # A re-send no longer revokes a link (issue 10): the delegate revokes the one they had from their page.
    with app.app_context():
        link_id = db.session.scalar(select(RegistrationLink.id))
    assert client.post_form(f"/registrations/{old_token}/links/{link_id}/revoke").status_code == 303
    for url in (f"/registrations/{old_token}", f"/registrations/{old_token}/edit", "/registrations/made-up"):
        response = client.get(url)
        assert response.status_code == 404
        page = text(response)
        assert "This link is no longer valid" in page
        assert "Send me a new link for Citizen Port Meeting Genoa" in page
        assert f'href="/meetings/{meeting.slug}/resend-link"' in response.get_data(as_text=True)
    assert client.post_form(f"/registrations/{old_token}/cancel").status_code == 404


# --- 3. the itinerary ------------------------------------------------------------------------------

def test_itinerary_says_the_id_data_was_given_and_fits_one_page(app, client):
    """The demo meeting's two full days, with a boat tour port security checks: one A4 page."""
    from portmeet.demo import load_demo

    with app.app_context():
        meeting, _created = load_demo()
        meeting.venue = "Edificio del Reloj, Valencia"
        db.session.commit()
        boat = next(visit for visit in meeting.visits if visit.requires_id and visit.transport == Transport.boat)
        picks, slug = [str(boat.id)], meeting.slug
    response = client.post_form(f"/meetings/{slug}/register", form_data(
        visits=picks, nationality="ES", id_number="X1234567", date_of_birth="1980-02-03"))
    reader = read_pdf(client.get(f"/registrations/{token_of(response)}/itinerary.pdf"))
    content = pdf_text(reader)
    assert len(reader.pages) == 1
    assert "ID data for port security: given" in content
    assert "Port security needs" not in content
    assert "WAITLIST" not in content.upper()
    assert "Valencia, Valencia" not in content and "Edificio del Reloj, Valencia, Spain" in content


def test_itinerary_asks_for_missing_id_data_and_shows_a_waiting_pick_with_its_position(app, client, make_meeting,
                                                                                        make_visit, make_registration):
    from portmeet.registration.models import BookingStatus, VisitBooking

    meeting = make_meeting()
    boat = make_visit(meeting, title="Boat tour", requires_id=True, id_deadline=meeting.start_date, capacity=1)
    make_registration(meeting, visits=(boat,))
    registration = make_registration(meeting)
    with app.app_context():
        db.session.add(VisitBooking(registration_id=registration.id, visit_id=boat.id, status=BookingStatus.waitlisted))
        db.session.commit()
    content = pdf_text(read_pdf(client.get(f"/registrations/{registration.token}/itinerary.pdf")))
    assert "Waiting list, position 1".upper() in content.upper()
    assert "Port security needs your ID data" in content and "add it on your registration page" in content


# --- 4. the date-of-birth hint -------------------------------------------------------------------------

def test_date_of_birth_hint_names_no_format_the_browser_does_not_show(client, make_meeting, make_visit):
    meeting = make_meeting()
    make_visit(meeting, requires_id=True, id_deadline=meeting.start_date)
    page = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    field = next(block for block in re.findall(r'<div class="field datefield[^"]*">.*?</div>', page, re.S)
                 if 'name="date_of_birth"' in block)
    assert 'type="date"' in field and 'name="date_of_birth"' in field
    assert "YYYY" not in field and "As written on your passport or ID card." in field


# --- 5. line breaks --------------------------------------------------------------------------------------

DESCRIPTION = "First paragraph, line one.\nLine two <b>not bold</b>.\n\nSecond paragraph."
PARTNERS = "AIVP\nPort of Antwerp-Bruges\nHaropa Port"


def test_descriptions_and_partners_keep_their_paragraphs_and_lines_escaped(client, make_meeting, make_session,
                                                                            make_visit, make_registration):
    meeting = make_meeting(description=DESCRIPTION, partners=PARTNERS)
    make_session(meeting, description=DESCRIPTION)
    make_visit(meeting, description=DESCRIPTION)
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    expected = ('<p dir="auto">First paragraph, line one.<br>Line two &lt;b&gt;not bold&lt;/b&gt;.</p>'
                '<p dir="auto">Second paragraph.</p>')
    assert page.count(expected) == 3  # meeting, session, visit
    assert "AIVP<br>Port of Antwerp-Bruges<br>Haropa Port" in page
    assert "<b>not bold</b>" not in page

    for url in (f"/meetings/{meeting.slug}/programme.pdf",
                f"/registrations/{make_registration(meeting).token}/itinerary.pdf"):
        content = pdf_text(read_pdf(client.get(url)))
        assert "First paragraph, line one.\nLine two <b>not bold</b>." in content, url
    programme = pdf_text(read_pdf(client.get(f"/meetings/{meeting.slug}/programme.pdf")))
    assert "AIVP\nPort of Antwerp-Bruges\nHaropa Port" in programme
