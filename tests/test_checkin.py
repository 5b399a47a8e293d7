"""The check-in desk: organisers find delegates, mark their arrival once, undo it, and see the counts."""
import re

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import Category, Registration, RegistrationStatus
from portmeet.registration.service import checkin_token


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(title="Citizen Port Meeting Bilbao", timezone="Europe/Madrid")


@pytest.fixture
def desk(client, organiser, meeting):
    client.login(organiser.email)
    return client


def desk_url(meeting, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/manage/meetings/{meeting.slug}/checkin" + (f"?{query}" if query else "")


def arrival_url(meeting, registration):
    return f"/manage/meetings/{meeting.slug}/checkin/{registration.id}/arrival"


def undo_url(meeting, registration):
    return f"/manage/meetings/{meeting.slug}/checkin/{registration.id}/undo"


def qr_url(app, meeting, registration):
    with app.test_request_context():
        registration = db.session.get(Registration, registration.id)
        return f"/manage/meetings/{meeting.slug}/checkin/{checkin_token(registration)}"


def checked_in_at(app, registration):
    with app.app_context():
        return db.session.get(Registration, registration.id).checked_in_at


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_search_ignores_accents_and_case(desk, meeting, make_registration):
    inaki = make_registration(meeting, first_name="Iñaki", last_name="Goñi Zubizarreta", organisation="Port de Bilbao")
    make_registration(meeting, first_name="Anna", last_name="Schmidt", organisation="Hafen Hamburg")
    page = text_of(desk.get(desk_url(meeting, q="inaki")))
    assert "1 match for" in page
    assert "Iñaki Goñi Zubizarreta" in page and "Anna Schmidt" not in page
    assert f'action="{arrival_url(meeting, inaki)}"' in page
    # Every word must match somewhere: name, organisation or e-mail.
    assert "Iñaki" in text_of(desk.get(desk_url(meeting, q="GONI bilbao")))
    assert "Anna Schmidt" in text_of(desk.get(desk_url(meeting, q="HAFEN")))
    assert "Anna Schmidt" not in text_of(desk.get(desk_url(meeting, q="hafen bilbao")))


def test_search_by_email_and_letters_without_decomposition(desk, meeting, make_registration):
    make_registration(meeting, first_name="Øyvind", last_name="Ødegård", email="oyvind@kystverket.example")
    make_registration(meeting, first_name="Łukasz", last_name="Wałęsa", email="lw@port.gdansk.example")
    assert "Øyvind Ødegård" in text_of(desk.get(desk_url(meeting, q="Oyvind Odegard")))
    assert "Łukasz Wałęsa" in text_of(desk.get(desk_url(meeting, q="walesa")))
    assert "Łukasz Wałęsa" in text_of(desk.get(desk_url(meeting, q="gdansk.example")))


def test_search_shows_only_this_meetings_registrations(desk, meeting, make_meeting, make_registration):
    other = make_meeting()
    make_registration(other, first_name="Iñaki", last_name="Elsewhere")
    assert "0 matches" in text_of(desk.get(desk_url(meeting, q="inaki")))


def test_marking_arrival_from_the_search_records_the_time_once(app, desk, meeting, make_registration):
    inaki = make_registration(meeting, first_name="Iñaki", last_name="Goñi")
    response = desk.post_form(arrival_url(meeting, inaki), {"q": "inaki"})
    assert response.status_code == 303
    assert response.headers["Location"] == desk_url(meeting, q="inaki")
    first = checked_in_at(app, inaki)
    assert first is not None
    page = text_of(desk.get(response.headers["Location"]))
    assert "Iñaki Goñi checked in at" in page
    assert "Arrived" in page and f'action="{undo_url(meeting, inaki)}"' in page

    # Twice: nothing changes, and the desk says when it happened.
    response = desk.post_form(arrival_url(meeting, inaki), {"q": "inaki"})
    assert response.status_code == 303
    assert checked_in_at(app, inaki) == first
    local = re.search(r"was already checked in at (\d\d:\d\d)", text_of(desk.get(response.headers["Location"])))
    assert local is not None


def test_undo_is_one_click(app, desk, meeting, make_registration):
    registration = make_registration(meeting, first_name="Anna", last_name="Schmidt")
    desk.post_form(arrival_url(meeting, registration))
    assert checked_in_at(app, registration) is not None
    response = desk.post_form(undo_url(meeting, registration), {"q": "anna"})
    assert response.status_code == 303
    assert checked_in_at(app, registration) is None
    page = text_of(desk.get(response.headers["Location"]))
    assert "Arrival of Anna Schmidt undone." in page
    assert f'action="{arrival_url(meeting, registration)}"' in page


@pytest.mark.parametrize("status", [RegistrationStatus.cancelled, RegistrationStatus.waitlisted])
def test_cancelled_or_waitlisted_needs_confirmation(app, desk, meeting, make_registration, status):
    registration = make_registration(meeting, first_name="Carla", last_name="Cancelled", status=status)
    page = text_of(desk.get(desk_url(meeting, q="carla")))
    assert 'class="status status-cancelled not-confirmed"' in page  # shown in red
    response = desk.post_form(arrival_url(meeting, registration), {"q": "carla"})
    assert response.status_code == 200
    page = text_of(response)
    assert f"This registration is {status.value}." in page
    assert 'name="confirm" type="hidden" value="y"' in page
    assert checked_in_at(app, registration) is None

    response = desk.post_form(arrival_url(meeting, registration), {"q": "carla", "confirm": "y"})
    assert response.status_code == 303
    assert checked_in_at(app, registration) is not None


def test_counts_arrived_over_expected_by_category(app, desk, meeting, make_registration):
    delegates = [make_registration(meeting) for _ in range(3)]
    speaker = make_registration(meeting, category=Category.speaker)
    make_registration(meeting, status=RegistrationStatus.cancelled)
    desk.post_form(arrival_url(meeting, delegates[0]))
    desk.post_form(arrival_url(meeting, speaker))
    page = text_of(desk.get(desk_url(meeting)))
    assert re.search(r"<strong>2</strong> / 4 arrived", page)
    assert re.search(r'Delegate</span> 1 / 3', page)
    assert re.search(r'Speaker</span> 1 / 1', page)
    # Latest arrivals, newest first, each with its undo button.
    assert page.index(f'id="registration-{speaker.id}"') < page.index(f'id="registration-{delegates[0].id}"')


def test_badge_qr_opens_the_delegate_for_staff(app, client, make_user, meeting, make_visit, make_registration):
    visit = make_visit(meeting, title="Port tour by boat")
    registration = make_registration(meeting, visits=(visit,), first_name="Νίκος", last_name="Παπαδόπουλος",
                                     organisation="Piraeus Port Authority", country="GR", category=Category.speaker,
                                     dietary="Vegetarian", accessibility="Wheelchair user")
    client.login(make_user(hosts=(meeting,)).email)
    url = qr_url(app, meeting, registration)
    page = text_of(client.get(url))
    for text in ("Νίκος Παπαδόπουλος", "Piraeus Port Authority", "Greece", "Speaker", "Port tour by boat",
                 "Vegetarian", "Wheelchair user"):
        assert text in page, text
    response = client.post_form(arrival_url(meeting, registration), {"code": url.rsplit("/", 1)[1]})
    assert response.status_code == 303
    assert response.headers["Location"] == url
    assert "Arrived" in text_of(client.get(url))
    assert checked_in_at(app, registration) is not None


def test_badge_qr_reveals_nothing_to_others(app, client, make_user, make_meeting, meeting, make_registration):
    registration = make_registration(meeting, first_name="Secret", last_name="Delegate")
    url = qr_url(app, meeting, registration)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

    other_meeting = make_meeting()
    client.login(make_user(hosts=(other_meeting,)).email)
    for address in (url, desk_url(meeting), desk_url(meeting, q="secret")):
        response = client.get(address)
        assert response.status_code == 404, address
        assert "Secret" not in text_of(response)
    assert client.post_form(arrival_url(meeting, registration)).status_code == 404
    assert client.post_form(undo_url(meeting, registration)).status_code == 404
    # The same code under the host's own meeting does not resolve either.
    assert client.get(url.replace(meeting.slug, other_meeting.slug)).status_code == 404
    assert checked_in_at(app, registration) is None


def test_bad_code_is_404(desk, meeting, make_registration):
    make_registration(meeting)
    assert desk.get(f"/manage/meetings/{meeting.slug}/checkin/not-a-code").status_code == 404
    assert desk.get(f"/manage/meetings/{meeting.slug}/checkin/{'x' * 300}").status_code == 404


def test_anonymous_desk_redirects_to_login(client, meeting):
    response = client.get(desk_url(meeting))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_arrival_without_csrf_token_changes_nothing(app, desk, meeting, make_registration):
    registration = make_registration(meeting)
    assert desk.post(arrival_url(meeting, registration)).status_code == 400
    assert checked_in_at(app, registration) is None


def test_registration_of_another_meeting_cannot_be_checked_in_here(app, desk, meeting, make_meeting, make_registration):
    stranger = make_registration(make_meeting())
    assert desk.post_form(arrival_url(meeting, stranger)).status_code == 404
    assert checked_in_at(app, stranger) is None


def test_desk_escapes_names(desk, meeting, make_registration):
    make_registration(meeting, first_name="<script>alert(1)</script>", last_name="Mallory")
    page = text_of(desk.get(desk_url(meeting, q="mallory")))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_overlong_search_is_refused_politely(desk, meeting):
    response = desk.get(desk_url(meeting, q="x" * 300))
    assert response.status_code == 400
    assert "Field cannot be longer than 100 characters." in text_of(response)
