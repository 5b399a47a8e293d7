"""Hosts and organisers follow registrations: table, filters, CSV, one registration, visit lists, ID data."""
import csv
import io
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import BookingStatus, Category, OutboxMessage, Registration, RegistrationStatus
from portmeet.timeutil import utcnow
from tests.test_registration import page_text, register, status_of, token_of

TODAY = utcnow().date()


@pytest.fixture
def meeting_with_delegates(app, client, make_meeting, make_visit):
    """A meeting with 2 places, a boat tour with 1 place, and 4 delegates registered through the form."""
    meeting = make_meeting(capacity=2)
    tour = make_visit(meeting, title="Boat tour", capacity=1, requires_id=True, id_deadline=meeting.start_date)
    museum = make_visit(meeting, title="Museum", capacity=10, start_time=time(9), end_time=time(10))
    id_data = {"nationality": "IT", "id_number": "YA1234567", "date_of_birth": "1970-01-02"}
    tokens = {
        "ruiz": token_of(register(client, meeting, visits=[str(tour.id), str(museum.id)], **id_data)),
        "rossi": token_of(register(client, meeting, first_name="Giulia", last_name="Rossi", email="giulia@example.it",
                                   country="IT", visits=[str(tour.id)],
                                   **dict(id_data, id_number="=HYPERLINK(1)"))),
        "dubois": token_of(register(client, meeting, first_name="Jean", last_name="Dubois", email="jean@example.fr",
                                    country="FR", visits=[str(museum.id)])),
        "levi": token_of(register(client, meeting, first_name="Noa", last_name="Levi", email="noa@example.il",
                                  country="IL")),
    }
    # Speaker and press are set by staff (the public form offers delegate and accompanying only).
    with app.app_context():
        for email, category in (("giulia@example.it", Category.speaker), ("noa@example.il", Category.press)):
            db.session.scalar(select(Registration).where(Registration.email_normalized == email)).category = category
        db.session.commit()
    return meeting, tour, museum, tokens


def rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_only_hosts_and_organisers_of_the_meeting_see_registrations(client, make_user, make_meeting,
                                                                    meeting_with_delegates):
    meeting, tour, _, _ = meeting_with_delegates
    urls = [f"/manage/meetings/{meeting.slug}/registrations", f"/manage/meetings/{meeting.slug}/registrations.csv",
            f"/manage/meetings/{meeting.slug}/registrations/1", f"/manage/meetings/{meeting.slug}/registrations/1/edit",
            f"/manage/meetings/{meeting.slug}/registrations/1/cancel", f"/manage/meetings/{meeting.slug}/visits/{tour.id}/"]
    for url in urls:
        assert client.get(url).status_code in (302, 401)  # sign in first
    other = make_meeting()
    client.login(make_user(email="other-host@example.org", hosts=(other,)).email)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post_form(f"/manage/meetings/{meeting.slug}/registrations/1/cancel").status_code == 404
    client.post_form("/logout")
    client.login(make_user(email="host@example.org", hosts=(meeting,)).email)
    for url in urls:
        assert client.get(url).status_code == 200


def test_registrations_table_counts_and_filters(client, organiser, meeting_with_delegates):
    meeting, tour, museum, _ = meeting_with_delegates
    client.login(organiser.email)
    base = f"/manage/meetings/{meeting.slug}/registrations"
    page = page_text(rows(client, base))
    assert "Confirmed: 2 / 2" in page and "Waitlisted: 2" in page and "Cancelled: 0" in page
    for name in ("Ruiz, Ana", "Rossi, Giulia", "Dubois, Jean", "Levi, Noa"):
        assert name in page
    assert "Boat tour — Places booked: 1 of 1; waiting: 1" in page

    def shown(query):
        text = page_text(rows(client, f"{base}?{query}"))
        return {name for name in ("Ruiz", "Rossi", "Dubois", "Levi") if f"{name}," in text}

    assert shown("status=waitlisted") == {"Dubois", "Levi"}
    assert shown("country=IT") == {"Rossi"}
    assert shown("category=press") == {"Levi"}
    assert shown(f"visit={tour.id}") == {"Ruiz", "Rossi"}
    assert shown(f"visit={museum.id}&status=confirmed") == {"Ruiz"}
    assert shown("country=XX") == {"Ruiz", "Rossi", "Dubois", "Levi"}  # a bad filter filters nothing


def test_csv_export_opens_cleanly_in_a_spreadsheet(client, organiser, meeting_with_delegates):
    meeting, *_ = meeting_with_delegates
    client.login(organiser.email)
    response = rows(client, f"/manage/meetings/{meeting.slug}/registrations.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert f'filename="{meeting.slug}-registrations.csv"' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == 4  # one row per registration
    by_name = {row["last name"]: row for row in table}
    assert by_name["Ruiz"]["field visits"] == "Museum (booked); Boat tour (booked)"  # in time order
    assert by_name["Rossi"]["field visits"] == "Boat tour (waitlisted 1)"
    assert by_name["Rossi"]["country name"] == "Italy" and by_name["Rossi"]["category"] == "speaker"
    assert not {"nationality", "ID document number", "date of birth"} & set(table[0])  # only in visit manifests
    assert by_name["Levi"]["status"] == "waitlisted" and by_name["Levi"]["waitlist position"] == "2"

    filtered = client.get(f"/manage/meetings/{meeting.slug}/registrations.csv?country=FR").get_data().decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 1


def test_id_data_is_shown_only_to_the_meetings_hosts(client, organiser, meeting_with_delegates):
    meeting, tour, _, tokens = meeting_with_delegates
    own_page = client.get(f"/registrations/{tokens['ruiz']}").get_data(as_text=True)
    assert "YA1234567" not in own_page and "1970-01-02" not in own_page
    client.login(organiser.email)
    detail = client.get(f"/manage/meetings/{meeting.slug}/registrations/1").get_data(as_text=True)
    assert "YA1234567" in detail and "1970-01-02" in detail
    roster = client.get(f"/manage/meetings/{meeting.slug}/visits/{tour.id}/").get_data(as_text=True)
    assert "YA1234567" in roster


def test_visit_page_lists_booked_and_waitlisted_delegates(client, organiser, meeting_with_delegates):
    meeting, tour, museum, _ = meeting_with_delegates
    client.login(organiser.email)
    page = page_text(rows(client, f"/manage/meetings/{meeting.slug}/visits/{tour.id}/"))
    booked, waiting = page.split("Waitlist (", 1)
    assert "Booked (1)" in booked and "Ruiz, Ana" in booked
    assert "Rossi, Giulia" in waiting and "Rossi, Giulia" not in booked
    page = page_text(rows(client, f"/manage/meetings/{meeting.slug}/visits/{museum.id}/"))
    assert "Dubois, Jean" in page.split("Also picked by delegates still waiting")[1]


def test_organiser_edits_a_registration_including_its_category(app, client, organiser, meeting_with_delegates):
    meeting, tour, museum, _ = meeting_with_delegates
    client.login(organiser.email)
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id).where(Registration.last_name == "Dubois"))
    url = f"/manage/meetings/{meeting.slug}/registrations/{registration_id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Jean"' in form and '<option selected value="delegate">' in form
    data = {"first_name": "Jean", "last_name": "Dubois", "email": "jean@example.fr", "organisation": "HAROPA Port",
            "country": "FR", "category": "speaker", "visits": [str(museum.id)]}
    response = client.post_form(url, data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/manage/meetings/{meeting.slug}/registrations/{registration_id}"
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert (registration.category, registration.organisation) == (Category.speaker, "HAROPA Port")
        assert db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.recipient == "jean@example.fr")
                                 .order_by(OutboxMessage.id.desc())).endswith("your registration was updated")


def test_organiser_cancels_a_registration_after_confirming(app, client, organiser, meeting_with_delegates):
    meeting, *_ = meeting_with_delegates
    client.login(organiser.email)
    with app.app_context():
        ruiz = db.session.scalar(select(Registration.id).where(Registration.last_name == "Ruiz"))
    url = f"/manage/meetings/{meeting.slug}/registrations/{ruiz}/cancel"
    confirm = client.get(url)
    assert confirm.status_code == 200 and f'action="{url}"' in confirm.get_data(as_text=True)
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.confirmed
    done = client.post_form(url)
    assert done.status_code == 303
    assert status_of(app, "ana.ruiz@example.org")[0] == RegistrationStatus.cancelled
    # The organiser lands on her page, which says she is cancelled (it used to answer 404).
    page = client.get(done.headers["Location"])
    assert page.status_code == 200 and "Cancelled" in page_text(page)
    # Her meeting place goes to the oldest waiting delegate, her boat place to the oldest waiting pick.
    assert status_of(app, "jean@example.fr")[0] == RegistrationStatus.confirmed
    assert status_of(app, "giulia@example.it")[1] == {"Boat tour": BookingStatus.booked}
    assert status_of(app, "noa@example.il")[0] == RegistrationStatus.waitlisted
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient == "ana.ruiz@example.org").order_by(OutboxMessage.id)).all()
        assert subjects[-1].endswith("registration cancelled")


def test_manage_tools_link_to_the_registrations(client, organiser, make_meeting):
    meeting = make_meeting()
    client.login(organiser.email)
    page = client.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    assert f'href="/manage/meetings/{meeting.slug}/registrations"' in page


# --- purging ID data --------------------------------------------------------------------------------

def id_numbers(app) -> list:
    with app.app_context():
        return sorted(filter(None, db.session.scalars(select(Registration.id_number))))


def test_purge_id_data_is_refused_before_the_meeting_has_ended_unless_forced(app, runner, meeting_with_delegates):
    meeting, *_ = meeting_with_delegates
    result = runner.invoke(args=["purge-id-data", meeting.slug])
    assert result.exit_code != 0 and "has not ended yet" in result.output
    assert len(id_numbers(app)) == 2
    result = runner.invoke(args=["purge-id-data", meeting.slug, "--force"])
    assert result.exit_code == 0, result.output
    assert "ID data purged for 2 registration(s)" in result.output
    assert id_numbers(app) == []


def test_purge_after_the_meeting_erases_id_data_and_the_manage_page_says_when(app, client, runner, organiser,
                                                                             meeting_with_delegates):
    meeting, *_ = meeting_with_delegates
    with app.app_context():
        stored = db.session.get(Meeting, meeting.id)
        stored.start_date, stored.end_date = TODAY - timedelta(days=3), TODAY - timedelta(days=2)
        db.session.commit()
    result = runner.invoke(args=["purge-id-data", meeting.slug])
    assert result.exit_code == 0, result.output
    assert id_numbers(app) == []
    with app.app_context():
        assert all(r.nationality is None and r.date_of_birth is None for r in db.session.scalars(select(Registration)))
        assert db.session.get(Meeting, meeting.id).id_data_purged_at is not None
    client.login(organiser.email)
    assert "ID data was purged on" in client.get(f"/manage/meetings/{meeting.slug}/registrations").get_data(as_text=True)
    assert runner.invoke(args=["purge-id-data", "no-such-meeting"]).exit_code != 0
