"""Accompanying persons (issue 14, point 3): a delegate brings a partner to the boat and the museum; the
partner takes a place like anyone, waits with the delegate, goes with the delegate's cancellation, and is
on the manifests, the attendee list and the badge sheets, marked; the delegate receives the e-mails."""
import csv
import html as html_module
import io
import re
from datetime import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portmeet.extensions import db
from portmeet.registration import mail
from portmeet.registration.models import (
    BookingStatus,
    Companion,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    SessionSignup,
    VisitBooking,
)
from tests.documents_support import pdf_text, read_pdf
from tests.test_registration import form_data, page_text, token_of


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(capacity=50)


@pytest.fixture
def boat(make_visit, meeting):
    return make_visit(meeting, title="Port tour by boat", capacity=2)


@pytest.fixture
def museum(make_visit, meeting):
    return make_visit(meeting, title="Maritime museum", start_time=time(18), end_time=time(19), capacity=10)


def partner(index: int = 0, **fields) -> dict:
    values = {"first_name": "Marc", "last_name": "Lefèvre", "country": "FR", "dietary": "", **fields}
    return {f"companions-{index}-{name}": value for name, value in values.items()}


def register_with_partner(client, meeting, visits=(), partner_visits=(), email="ana.ruiz@example.org", **fields):
    data = form_data(email=email, visits=[str(v.id) for v in visits],
                     **partner(visits=[str(v.id) for v in partner_visits], **fields))
    return client.post_form(f"/meetings/{meeting.slug}/register", data)


def companions_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Companion.id)))


def picks_of(app, last_name: str) -> dict[str, BookingStatus]:
    with app.app_context():
        companion = db.session.scalar(select(Companion).where(Companion.last_name == last_name))
        return {b.visit.title: b.status for b in companion.bookings}


def mails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        mail.write_confirmations()  # as the sender does first: a confirmation's text, from its decision
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                      .order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


# --- the form ----------------------------------------------------------------------------------------

def test_a_delegate_registers_with_a_partner_who_joins_the_boat(app, client, meeting, boat, museum):
    token = token_of(register_with_partner(client, meeting, visits=(museum,), partner_visits=(boat, museum),
                                           **{"diets": ["vegetarian"], "dietary": "no raw fish"}))
    assert picks_of(app, "Lefèvre") == {"Port tour by boat": BookingStatus.booked, "Maritime museum": BookingStatus.booked}
    with app.app_context():
        companion = db.session.scalar(select(Companion))
        assert (companion.full_name, companion.country, companion.dietary_summary) == \
            ("Marc Lefèvre", "FR", "Vegetarian; no raw fish")
        # Not a registration: the meeting's places count the delegate only.
        assert db.session.scalar(select(func.count(Registration.id))) == 1
    page = page_text(client.get(f"/registrations/{token}"))
    assert "Accompanying persons" in page and "Marc Lefèvre" in page
    assert re.search(r"Port tour by boat — .*? place booked", page)
    # The delegate's confirmation names the partner and the partner's places.
    confirmation, = mails_to(app, "ana.ruiz@example.org")
    assert "Accompanying persons:" in confirmation.body
    assert re.search(r"- Marc Lefèvre: Port tour by boat \(.*?\): place booked", confirmation.body)


def test_empty_partner_rows_are_ignored(app, client, meeting):
    token_of(client.post_form(f"/meetings/{meeting.slug}/register",
                              form_data(**partner(first_name="", last_name="", country=""))))
    assert companions_count(app) == 0


def test_a_form_sent_back_without_partner_rows_shows_both_empty_rows_again(client, meeting, boat):
    # The posted form carried no rows for accompanying persons (most delegates bring none): shown again for an
    # error elsewhere, it offers the two empty rows, each labelled for its person, and keeps the delegate's input.
    response = client.post_form(f"/meetings/{meeting.slug}/register", form_data(email="not an address"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and 'value="Port of Bilbao"' in html
    for number in (0, 1):
        assert f'name="companions-{number}-first_name"' in html
        assert f"(accompanying person {number + 1})" in html
        assert f'name="companions-{number}-visits" type="checkbox" value="{boat.id}"' in html
    assert 'name="companions-2-first_name"' not in html


def test_a_partner_without_a_country_takes_the_delegates(app, client, meeting):
    token_of(register_with_partner(client, meeting, country=""))
    with app.app_context():
        assert db.session.scalar(select(Companion.country)) == "ES"


@pytest.mark.parametrize("fields, field, message", [
    ({"last_name": ""}, "last_name", "Enter the accompanying person's last name."),
    ({"first_name": "  "}, "first_name", "Enter the accompanying person's first name."),
    ({"country": "XX"}, "country", "Choose a country from the list."),
    ({"visits": ["999999"]}, "visits", "Choose among the answers offered."),
    ({"visits": ["boat"]}, "visits", ""),
    ({"first_name": "M" * 101}, "first_name", ""),
])
def test_bad_partner_input_is_refused_beside_the_field_and_nothing_is_saved(app, client, meeting, boat, fields,
                                                                            field, message):
    response = client.post_form(f"/meetings/{meeting.slug}/register", form_data(**partner(**fields)))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="companions-0-{field}-error" role="alert">([^<]*)</p>', html)
    assert error, html[:2000]
    assert message in html_module.unescape(error.group(1))
    assert companions_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_a_partner_cannot_join_two_visits_at_the_same_time(app, client, meeting, make_visit, boat):
    centre = make_visit(meeting, title="Port Center", start_time=time(16), end_time=time(18))
    response = register_with_partner(client, meeting, partner_visits=(boat, centre))
    assert response.status_code == 400
    assert "“Port tour by boat” and “Port Center” overlap in time" in page_text(response)
    assert companions_count(app) == 0


def test_a_partner_on_a_visit_needing_id_documents_gives_theirs(app, client, meeting, make_visit, make_user):
    terminal = make_visit(meeting, title="Container terminal", requires_id=True, start_time=time(10),
                          end_time=time(12))
    form = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    assert f'name="companions-0-visits" type="checkbox" value="{terminal.id}"' in form
    assert 'name="companions-0-id_number"' in form

    # Without the partner's document: said beside the partner's fields, nothing saved.
    delegate_id = {"nationality": "ES", "id_number": "ES1234567", "date_of_birth": "1980-01-02"}
    response = client.post_form(f"/meetings/{meeting.slug}/register", form_data(
        email="ana.ruiz@example.org", visits=[str(terminal.id)], **delegate_id, **partner(visits=[str(terminal.id)])))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = page.split('id="companions-0-id_number-error"', 1)[1].split("</p>", 1)[0]
    assert "Port security needs the accompanying person&#39;s ID document number for “Container terminal”." in error \
        or "Port security needs the accompanying person's ID document number for “Container terminal”." in error
    assert companions_count(app) == 0

    data = form_data(email="ana.ruiz@example.org", visits=[str(terminal.id)], **delegate_id,
                     **partner(visits=[str(terminal.id)], nationality="FR", id_number="FR7654321",
                               date_of_birth="1982-03-04"))
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", data))
    assert picks_of(app, "Lefèvre") == {"Container terminal": BookingStatus.booked}
    own_page = page_text(client.get(f"/registrations/{token}"))
    assert "FR7654321" not in own_page and "•••••••21" in own_page  # the delegate sees it masked

    # Port security's manifest carries the partner's document; staff see it, and the view is logged.
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    manifest = client.get(f"/manage/meetings/{meeting.slug}/visits/{terminal.id}/manifest.csv")
    rows = list(csv.DictReader(io.StringIO(manifest.get_data(as_text=True).lstrip("\ufeff"))))
    marc = next(row for row in rows if row["last name"] == "Lefèvre")
    assert (marc["nationality"], marc["ID document number"], marc["date of birth"]) == ("FR", "FR7654321",
                                                                                       "1982-03-04")
    text = " ".join(pdf_text(read_pdf(client.get(
        f"/manage/meetings/{meeting.slug}/visits/{terminal.id}/manifest.pdf"))).split())
    assert "FR7654321" in text and "ES1234567" in text
    with app.app_context():
        registration = db.session.scalar(select(Registration))
    staff_page = client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}")
    assert "FR7654321" in staff_page.get_data(as_text=True)


def test_a_partners_id_data_goes_when_no_visit_needs_it_and_with_the_purge(app, client, meeting, make_visit, museum,
                                                                       runner):
    terminal = make_visit(meeting, title="Container terminal", requires_id=True, start_time=time(10),
                          end_time=time(12))
    data = form_data(email="ana.ruiz@example.org", **partner(visits=[str(terminal.id)], nationality="FR",
                                                             id_number="FR7654321", date_of_birth="1982-03-04"))
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", data))
    with app.app_context():
        companion = db.session.scalar(select(Companion))
        assert companion.id_number == "FR7654321"
        companion_id = companion.id
    # The partner goes to the museum instead: port security needs nothing, so nothing is kept.
    response = client.post_form(f"/registrations/{token}/companions/{companion_id}/edit", {
        "first_name": "Marc", "last_name": "Lefèvre", "country": "FR", "visits": [str(museum.id)]})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Companion, companion_id).id_number is None

    # Back on the terminal (empty fields would keep what was given; here it was erased, so it is asked again).
    back = {"first_name": "Marc", "last_name": "Lefèvre", "country": "FR", "visits": [str(terminal.id)]}
    assert client.post_form(f"/registrations/{token}/companions/{companion_id}/edit", back).status_code == 400
    back.update(nationality="FR", id_number="FR7654321", date_of_birth="1982-03-04")
    assert client.post_form(f"/registrations/{token}/companions/{companion_id}/edit", back).status_code == 303
    result = runner.invoke(args=["purge-id-data", meeting.slug, "--force"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        companion = db.session.get(Companion, companion_id)
        assert (companion.nationality, companion.id_number, companion.date_of_birth) == (None, None, None)


# --- places -------------------------------------------------------------------------------------------

def test_a_partner_takes_a_place_and_the_next_pick_waits(app, client, meeting, boat):
    token_of(register_with_partner(client, meeting, visits=(boat,), partner_visits=(boat,)))
    # The boat's two places: Ana and Marc. The next delegate waits.
    token_of(client.post_form(f"/meetings/{meeting.slug}/register",
                              form_data(email="bo@example.org", first_name="Bo", last_name="Berg",
                                        visits=[str(boat.id)])))
    with app.app_context():
        statuses = {b.person.full_name: b.status for b in db.session.scalars(select(VisitBooking))}
    assert statuses == {"Ana Ruiz": BookingStatus.booked, "Marc Lefèvre": BookingStatus.booked,
                        "Bo Berg": BookingStatus.waitlisted}


def test_the_delegate_and_partner_each_book_a_visit_once(app, meeting, boat, make_registration):
    registration = make_registration(meeting, visits=(boat,))
    with app.app_context():
        companion = Companion(registration_id=registration.id, first_name="Marc", last_name="Lefèvre", country="FR")
        db.session.add(companion)
        db.session.flush()
        db.session.add(VisitBooking(registration_id=registration.id, companion_id=companion.id, visit_id=boat.id))
        db.session.flush()  # the partner's own pick sits beside the delegate's
        db.session.add(VisitBooking(registration_id=registration.id, companion_id=companion.id, visit_id=boat.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(VisitBooking(registration_id=registration.id, visit_id=boat.id))
        with pytest.raises(IntegrityError):  # the delegate's own second pick: refused as before
            db.session.flush()
        db.session.rollback()


def test_cancelling_frees_the_partners_place_and_promotes_the_next(app, client, meeting, boat):
    token = token_of(register_with_partner(client, meeting, visits=(boat,), partner_visits=(boat,)))
    token_of(client.post_form(f"/meetings/{meeting.slug}/register",
                              form_data(email="bo@example.org", first_name="Bo", last_name="Berg",
                                        visits=[str(boat.id)], **partner(first_name="Lea", last_name="Berg",
                                                                         visits=[str(boat.id)]))))
    assert picks_of(app, "Berg") == {"Port tour by boat": BookingStatus.waitlisted}

    assert client.post_form(f"/registrations/{token}/cancel").status_code == 303

    with app.app_context():
        ana = db.session.scalar(select(Registration).where(Registration.email_normalized == "ana.ruiz@example.org"))
        assert ana.status == RegistrationStatus.cancelled
        assert ana.companions[0].bookings == []  # Marc's place went with Ana's
        statuses = {b.person.full_name: b.status for b in db.session.scalars(select(VisitBooking))}
    assert statuses == {"Bo Berg": BookingStatus.booked, "Lea Berg": BookingStatus.booked}
    # Bo receives the e-mail for Lea's place: she has no address.
    subjects = [m.subject for m in mails_to(app, "bo@example.org")]
    assert any("a place on “Port tour by boat” for Lea Berg" in subject for subject in subjects), subjects
    assert any("a place on “Port tour by boat” is yours" in subject for subject in subjects), subjects


def test_a_partners_picks_wait_while_the_delegate_waits_for_the_meeting(app, client, make_meeting, make_visit,
                                                                        make_registration):
    meeting = make_meeting(capacity=1)
    boat = make_visit(meeting, title="Port tour by boat", capacity=5)
    first = make_registration(meeting)
    token = token_of(register_with_partner(client, meeting, partner_visits=(boat,)))
    assert picks_of(app, "Lefèvre") == {"Port tour by boat": BookingStatus.waitlisted}
    page = page_text(client.get(f"/registrations/{token}"))
    assert "waitlist, until you have a place at the meeting" in page

    assert client.post_form(f"/registrations/{first.token}/cancel").status_code == 303

    assert picks_of(app, "Lefèvre") == {"Port tour by boat": BookingStatus.booked}
    promotion = mails_to(app, "ana.ruiz@example.org")[-1]
    assert "a place is yours" in promotion.subject
    assert re.search(r"- Marc Lefèvre: Port tour by boat \(.*?\): place booked", promotion.body)


# --- the delegate's own page ----------------------------------------------------------------------------

def test_the_delegate_adds_changes_and_removes_a_partner_from_their_page(app, client, meeting, boat, museum):
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data()))
    form = client.get(f"/registrations/{token}/companions/new")
    assert form.status_code == 200
    added = client.post_form(f"/registrations/{token}/companions/new",
                             {"first_name": "Marc", "last_name": "Lefèvre", "country": "FR",
                              "visits": [str(boat.id)], "diets": ["halal"]})
    assert added.status_code == 303
    assert picks_of(app, "Lefèvre") == {"Port tour by boat": BookingStatus.booked}
    with app.app_context():
        companion_id = db.session.scalar(select(Companion.id))

    edit_page = client.get(f"/registrations/{token}/companions/{companion_id}/edit").get_data(as_text=True)
    assert 'value="Lefèvre"' in edit_page
    changed = client.post_form(f"/registrations/{token}/companions/{companion_id}/edit",
                               {"first_name": "Marc", "last_name": "Lefèvre-Ruiz", "country": "FR",
                                "visits": [str(museum.id)]})
    assert changed.status_code == 303
    assert picks_of(app, "Lefèvre-Ruiz") == {"Maritime museum": BookingStatus.booked}

    assert client.post(f"/registrations/{token}/companions/{companion_id}/remove").status_code == 400  # no CSRF
    assert companions_count(app) == 1
    assert client.post_form(f"/registrations/{token}/companions/{companion_id}/remove").status_code == 303
    assert companions_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitBooking.id))) == 0


def test_bad_input_on_the_own_page_is_refused_beside_the_field(app, client, meeting, boat):
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data()))
    response = client.post_form(f"/registrations/{token}/companions/new",
                                {"first_name": "Marc", "last_name": "", "country": "FR", "visits": ["abc"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="last_name-error" role="alert">Enter the accompanying person', html_module.unescape(html))
    assert 'id="visits-error"' in html
    assert companions_count(app) == 0


def test_another_delegates_partner_is_out_of_reach(app, client, meeting):
    token_of(register_with_partner(client, meeting))
    other = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(email="bo@example.org")))
    with app.app_context():
        companion_id = db.session.scalar(select(Companion.id))
    assert client.get(f"/registrations/{other}/companions/{companion_id}/edit").status_code == 404
    assert client.post_form(f"/registrations/{other}/companions/{companion_id}/remove").status_code == 404
    assert companions_count(app) == 1


# --- lists, manifests, badges -----------------------------------------------------------------------

@pytest.fixture
def with_partner(app, client, meeting, boat, make_user):
    token_of(register_with_partner(client, meeting, visits=(boat,), partner_visits=(boat,), diets=["vegan"]))
    host = make_user(email="host@example.org", organiser=True)
    client.login(host.email)
    return meeting


def test_the_boat_manifest_lists_the_delegate_and_the_partner(client, with_partner, boat):
    meeting = with_partner
    text = " ".join(pdf_text(read_pdf(client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.pdf"))).split())
    assert "Ruiz, Ana" in text
    assert "Lefèvre, Marc (accompanying Ana Ruiz)" in text
    assert "Places booked: 2 of 2" in text
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/manifest.csv").get_data(as_text=True))))
    assert [(row["last name"], row["accompanying"], row["dietary needs"]) for row in rows] == [
        ("Lefèvre", "Ana Ruiz", "Vegan"), ("Ruiz", "", "")]
    roll_call = page_text(client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/boarding"))
    assert "Lefèvre, Marc (accompanying Ana Ruiz)" in roll_call


def test_the_attendee_list_marks_the_partner(client, with_partner):
    meeting = with_partner
    page = page_text(client.get(f"/manage/meetings/{meeting.slug}/attendees"))
    assert re.search(r"France \(1\) .*? Lefèvre , Marc \(accompanying Ana Ruiz\)", page)
    assert "1 registration · 1 accompanying person" in page
    pdf = " ".join(pdf_text(read_pdf(client.get(f"/manage/meetings/{meeting.slug}/attendees.pdf"))).split())
    assert "Lefèvre, Marc (accompanying Ana Ruiz)" in pdf
    rows = list(csv.DictReader(io.StringIO(client.get(f"/manage/meetings/{meeting.slug}/attendees.csv")
                                           .get_data(as_text=True))))
    assert [(row["last name"], row["category"], row["accompanying"]) for row in rows] == [
        ("Lefèvre", "accompanying", "Ana Ruiz"), ("Ruiz", "delegate", "")]
    # The public list shows consenting delegates only: a partner never gave that consent.
    assert "Lefèvre" not in page_text(client.get(f"/meetings/{meeting.slug}/participants"))


def test_the_badge_sheet_has_the_partners_badge_with_the_accompanying_band(client, with_partner):
    meeting = with_partner
    text = " ".join(pdf_text(read_pdf(client.get(f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a4-8"))).split())
    assert "Marc Lefèvre with Ana Ruiz France ACCOMPANYING PERSON" in text
    assert "Ana Ruiz" in text and "Port of Bilbao" in text
    only_delegates = " ".join(pdf_text(read_pdf(
        client.get(f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a4-8&category=delegate"))).split())
    assert "Marc Lefèvre" not in only_delegates


def test_staff_see_the_partner_on_the_registration_page_and_in_the_table(client, with_partner):
    meeting = with_partner
    table = page_text(client.get(f"/manage/meetings/{meeting.slug}/registrations"))
    assert "+ Marc Lefèvre, accompanying" in table
    with client.application.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    detail = page_text(client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration_id}"))
    assert re.search(r"Accompanying persons Lefèvre, Marc · France · Diet: Vegan Port tour by boat Booked", detail)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/manage/meetings/{meeting.slug}/registrations.csv")
                                           .get_data(as_text=True))))
    assert rows[0]["accompanying persons"] == "Marc Lefèvre"


# --- meals and social events ------------------------------------------------------------------------

def test_a_partner_signs_up_for_the_dinner_and_waits_when_it_is_full(app, client, meeting, make_session):
    from portmeet.meetings.models import SessionKind

    dinner = make_session(meeting, title="Gala dinner", kind=SessionKind.meal, start_time=time(20), end_time=time(23),
                          capacity=2)
    form = client.get(f"/meetings/{meeting.slug}/register").get_data(as_text=True)
    assert f'name="companions-0-signups" type="checkbox" value="{dinner.id}"' in form
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(
        signups=[str(dinner.id)], **partner(signups=[str(dinner.id)]))))
    token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(
        email="bo@example.org", first_name="Bo", last_name="Berg",
        **partner(first_name="Lea", last_name="Berg", signups=[str(dinner.id)]))))
    with app.app_context():
        signups = {s.person.full_name: s.status for s in db.session.scalars(select(SessionSignup))}
    assert signups == {"Ana Ruiz": BookingStatus.booked, "Marc Lefèvre": BookingStatus.booked,
                       "Lea Berg": BookingStatus.waitlisted}
    page = page_text(client.get(f"/registrations/{token}"))
    assert re.search(r"Marc Lefèvre .*? Gala dinner — .*? place booked", page)

    # Ana drops Marc: his seat goes to Lea, and Bo is told.
    with app.app_context():
        marc = db.session.scalar(select(Companion.id).where(Companion.last_name == "Lefèvre"))
    assert client.post_form(f"/registrations/{token}/companions/{marc}/remove").status_code == 303
    with app.app_context():
        signups = {s.person.full_name: s.status for s in db.session.scalars(select(SessionSignup))}
    assert signups == {"Ana Ruiz": BookingStatus.booked, "Lea Berg": BookingStatus.booked}
    assert any("a place at “Gala dinner” for Lea Berg" in m.subject for m in mails_to(app, "bo@example.org"))


def test_a_partner_cannot_sign_up_for_an_event_without_places(app, client, meeting, make_session):
    from portmeet.meetings.models import SessionKind

    plenary = make_session(meeting, title="Opening plenary", kind=SessionKind.plenary)
    response = client.post_form(f"/meetings/{meeting.slug}/register", form_data(**partner(signups=[str(plenary.id)])))
    assert response.status_code == 400
    assert 'id="companions-0-signups-error"' in response.get_data(as_text=True)
    assert companions_count(app) == 0


def test_the_caterer_counts_the_partner_at_the_dinner_with_their_needs(app, client, meeting, make_session, make_user):
    from portmeet.meetings.models import SessionKind

    dinner = make_session(meeting, title="Gala dinner", kind=SessionKind.meal, start_time=time(20), end_time=time(23),
                          capacity=40)
    make_session(meeting, title="Lunch", kind=SessionKind.meal, start_time=time(13), end_time=time(14))
    token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data(
        signups=[str(dinner.id)], **partner(signups=[str(dinner.id)], diets=["vegan", "nut_allergy"]))))
    client.login(make_user(email="host@example.org", organiser=True).email)

    text = " ".join(pdf_text(read_pdf(client.get(f"/manage/meetings/{meeting.slug}/catering.pdf"))).split())
    dinner_part = text[text.index("Gala dinner Meal"):]
    assert "2 people" in dinner_part and "Vegan 1" in dinner_part and "Nut allergy 1" in dinner_part
    assert "Lefèvre, Marc (accompanying Ana Ruiz) Vegan, Nut allergy" in dinner_part
    lunch_part = text[text.index("Lunch Meal"):text.index("Gala dinner Meal")]
    assert "1 person" in lunch_part and "Lefèvre" not in lunch_part  # no sign-up: the delegates' lunch
    rows = list(csv.DictReader(io.StringIO(client.get(f"/manage/meetings/{meeting.slug}/catering.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["event"], r["count"]) for r in rows if r["line"] == "total"] == [("Lunch", "1"), ("Gala dinner", "2")]
    person, = [r for r in rows if r["line"] == "person"]
    assert (person["last name"], person["accompanying"], person["dietary needs"]) == \
        ("Lefèvre", "Ana Ruiz", "Vegan, Nut allergy")


def test_a_partner_added_after_the_badges_were_printed_is_on_the_next_sheet(app, client, meeting, make_user):
    """Badge sheets and lists come from a shared cache while nothing they print changes: a partner added from
    the delegate's page is a change."""
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", form_data()))
    make_user(email="host@example.org", organiser=True)
    host = app.test_client()  # the host's own browser
    host.login("host@example.org")
    first = " ".join(pdf_text(read_pdf(host.get(f"/manage/meetings/{meeting.slug}/badges.pdf"))).split())
    assert "Ruiz" in first and "Lefèvre" not in first
    assert client.post_form(f"/registrations/{token}/companions/new", {
        "first_name": "Marc", "last_name": "Lefèvre", "country": "FR"}).status_code == 303
    second = " ".join(pdf_text(read_pdf(host.get(f"/manage/meetings/{meeting.slug}/badges.pdf"))).split())
    assert "Lefèvre" in second and "with Ana Ruiz" in second
    listing = host.get(f"/manage/meetings/{meeting.slug}/attendees.csv").get_data(as_text=True)
    assert "Lefèvre" in listing


def test_a_delegate_renamed_is_named_again_on_the_partners_cached_badge(app, client, meeting, make_user):
    token_of(register_with_partner(client, meeting))
    client.login(make_user(email="host@example.org", organiser=True).email)
    url = f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a4-8&category=accompanying"
    assert "with Ana Ruiz" in " ".join(pdf_text(read_pdf(client.get(url))).split())
    with app.app_context():
        db.session.scalar(select(Registration)).last_name = "Ruiz-Ortega"
        db.session.commit()
    assert "with Ana Ruiz-Ortega" in " ".join(pdf_text(read_pdf(client.get(url))).split())
