"""The check-in desk: organisers find delegates, mark their arrival once, undo it, see the counts, and
register walk-ins."""
import io
import re
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import Category, OutboxMessage, Registration, RegistrationStatus
from portmeet.checkin.tokens import checkin_token
from portmeet.timeutil import utcnow


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


# --- late registration (walk-in) at the desk ---------------------------------------------------------

def walk_in_url(meeting):
    return f"/manage/meetings/{meeting.slug}/checkin/walk-in"


def walk_in_data(**overrides) -> dict:
    data = {"first_name": "Iñaki", "last_name": "Goñi", "email": "inaki@bilbaoport.example",
            "organisation": "Port de Bilbao", "country": "ES", "category": "press", "check_in": "y"}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def registrations_of(app, meeting) -> list[Registration]:
    with app.app_context():
        registrations = db.session.scalars(select(Registration).where(Registration.meeting_id == meeting.id)).all()
        for registration in registrations:
            registration.bookings  # noqa: B018 - loaded for use outside the context
        db.session.expunge_all()
        return registrations


def test_walk_in_is_registered_and_checked_in_at_the_desk_after_registration_closed(
        app, client, make_user, make_meeting, make_visit):
    today = utcnow().date()
    meeting = make_meeting(start_date=today, registration_opens=datetime.combine(today - timedelta(days=30), time(9)),
                           registration_closes=datetime.combine(today - timedelta(days=2), time(18)))
    tour = make_visit(meeting, title="Port tour by boat", capacity=5)
    client.login(make_user(hosts=(meeting,)).email)  # a host of this meeting may run the desk
    desk_page = text_of(client.get(desk_url(meeting)))
    assert f'href="{walk_in_url(meeting)}">Late registration</a>' in desk_page

    form = client.get(walk_in_url(meeting))
    assert form.status_code == 200
    assert re.search(r'<input checked id="check_in" name="check_in" type="checkbox" value="y">', text_of(form))
    response = client.post_form(walk_in_url(meeting), walk_in_data(visits=[str(tour.id)]))
    assert response.status_code == 303

    [registration] = registrations_of(app, meeting)
    assert (registration.first_name, registration.last_name, registration.category) == ("Iñaki", "Goñi", Category.press)
    assert registration.status == RegistrationStatus.confirmed and registration.checked_in_at is not None
    assert [(b.visit_id, b.status.value) for b in registration.bookings] == [(tour.id, "booked")]
    assert response.headers["Location"] == qr_url(app, meeting, registration)
    page = text_of(client.get(response.headers["Location"]))
    assert "Iñaki Goñi is registered and checked in." in page and "Arrived" in page
    badge = (f'href="/manage/meetings/{meeting.slug}/badges.pdf?layout=a6&amp;ids={registration.id}'
             f'&amp;status=all">Print badge')
    assert badge in page
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == registration.email)).all()
        assert len(mail) == 1 and "/registrations/" in mail[0].body  # their private link


def test_walk_in_can_be_registered_without_checking_in(app, desk, meeting):
    response = desk.post_form(walk_in_url(meeting), walk_in_data(check_in=None))
    assert response.status_code == 303
    [registration] = registrations_of(app, meeting)
    assert registration.status == RegistrationStatus.confirmed and registration.checked_in_at is None
    assert "Iñaki Goñi is registered." in text_of(desk.get(response.headers["Location"]))


def test_walk_in_at_a_full_meeting_waits_and_is_not_checked_in(app, desk, make_meeting, make_registration):
    meeting = make_meeting(capacity=1)
    make_registration(meeting)
    response = desk.post_form(walk_in_url(meeting), walk_in_data())
    page = text_of(desk.get(response.headers["Location"]))
    assert "the meeting is full: number 1 on the waiting list" in page
    walk_in = next(r for r in registrations_of(app, meeting) if r.email == "inaki@bilbaoport.example")
    assert walk_in.status == RegistrationStatus.waitlisted and walk_in.checked_in_at is None


@pytest.mark.parametrize("overrides, field, message", [
    ({"last_name": ""}, "last_name", "This field is required."),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
    ({"email": "TAKEN@example.org"}, "email", "This e-mail address is already registered for this meeting."),
    ({"country": "XX"}, "country", None),
])
def test_walk_in_with_errors_is_refused_on_the_form_and_nothing_is_saved(app, desk, meeting, make_registration,
                                                                         overrides, field, message):
    make_registration(meeting, email="taken@example.org")
    response = desk.post_form(walk_in_url(meeting), walk_in_data(**overrides))
    assert response.status_code == 400
    page = text_of(response)
    error = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]+)', page)
    assert error is not None, field
    if message:
        assert message in error.group(1)
    assert 'value="Port de Bilbao"' in page  # what was typed is kept
    assert [r.email for r in registrations_of(app, meeting)] == ["taken@example.org"]


def test_walk_in_keeps_the_visit_rules(app, desk, meeting, make_visit):
    tour = make_visit(meeting, title="Port tour by boat", start_time=time(15), end_time=time(17))
    museum = make_visit(meeting, title="Maritime museum", start_time=time(16), end_time=time(18))
    response = desk.post_form(walk_in_url(meeting), walk_in_data(visits=[str(tour.id), str(museum.id)]))
    assert response.status_code == 400
    assert "overlap in time" in text_of(response)
    assert registrations_of(app, meeting) == []


def test_walk_in_is_only_for_staff_of_the_meeting(app, client, make_user, make_meeting, meeting):
    response = client.get(walk_in_url(meeting))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    client.login(make_user(hosts=(make_meeting(),)).email)
    assert client.get(walk_in_url(meeting)).status_code == 404
    assert client.post_form(walk_in_url(meeting), walk_in_data()).status_code == 404
    assert registrations_of(app, meeting) == []


def test_walk_in_without_csrf_token_saves_nothing(app, desk, meeting):
    response = desk.post(walk_in_url(meeting), data=walk_in_data())
    assert response.status_code == 400
    assert registrations_of(app, meeting) == []


def test_walk_in_badge_link_prints_one_a6_badge_with_the_name(app, desk, meeting, make_registration):
    make_registration(meeting, first_name="Anna", last_name="Schmidt")  # someone else: not on this badge
    response = desk.post_form(walk_in_url(meeting), walk_in_data(first_name="Νίκος", last_name="Παπαδόπουλος",
                                                                 email="nikos@olp.example", country="GR"))
    page = text_of(desk.get(response.headers["Location"]))
    href = re.search(r'href="([^"]+badges\.pdf[^"]+)">Print badge', page).group(1).replace("&amp;", "&")
    pdf = desk.get(href)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 1
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (105, 148)  # A6, in millimetres
    text = " ".join(reader.pages[0].extract_text().split())  # the name may wrap on the badge
    assert "Νίκος Παπαδόπουλος" in text and "Anna" not in text
