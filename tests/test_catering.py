"""The caterer's list: for each meal and social event, how many eat, how many have each dietary need,
and who; as a PDF read back with pypdf and as a CSV. Staff only, and every export is in the audit trail."""
import csv
import io
from datetime import time

from sqlalchemy import select

from portmeet.audit.models import AuditEntry
from portmeet.extensions import db
from portmeet.meetings.models import SessionKind
from portmeet.registration.models import BookingStatus, RegistrationStatus, SessionSignup
from tests.documents_support import manager_client, pdf_text, read_pdf


def sign_up(app, registration, session, status=BookingStatus.booked):
    with app.app_context():
        db.session.add(SessionSignup(registration_id=registration.id, session_id=session.id, status=status))
        db.session.commit()


def menu(app, make_meeting, make_session, make_registration):
    """A lunch for everyone (no sign-up) and a dinner with places, three delegates with needs."""
    meeting = make_meeting()
    lunch = make_session(meeting, title="Lunch at the port", kind=SessionKind.meal, start_time=time(13),
                         end_time=time(14), room="Cafeteria")
    dinner = make_session(meeting, title="Social dinner", kind=SessionKind.social, capacity=40,
                          start_time=time(20), end_time=time(23), room="Museum terrace")
    make_session(meeting, title="Opening plenary")  # not a meal
    ana = make_registration(meeting, first_name="Ana", last_name="Ruiz", diets="vegetarian nut_allergy")
    karim = make_registration(meeting, first_name="Karim", last_name="Benali", diets="halal")
    eva = make_registration(meeting, first_name="Eva", last_name="<b>Ström</b>", diets="vegetarian",
                            dietary="", organisation="Port & City <script>")
    make_registration(meeting, first_name="Noé", last_name="Plain")  # no needs
    make_registration(meeting, first_name="Wanda", last_name="Waiting", diets="vegan",
                      status=RegistrationStatus.waitlisted)
    gone = make_registration(meeting, first_name="Carl", last_name="Cancelled", diets="kosher",
                             status=RegistrationStatus.cancelled)
    sign_up(app, ana, dinner)
    sign_up(app, eva, dinner)
    sign_up(app, karim, dinner, BookingStatus.waitlisted)  # waiting: not counted
    sign_up(app, gone, dinner, BookingStatus.waitlisted)
    return meeting, lunch, dinner


def test_the_caterers_pdf_counts_each_event_and_names_the_needs(app, client, make_meeting, make_session,
                                                                 make_registration, make_user):
    meeting, lunch, dinner = menu(app, make_meeting, make_session, make_registration)
    client = manager_client(client, make_user, meeting)
    response = client.get(f"/manage/meetings/{meeting.slug}/catering.pdf")
    text = " ".join(pdf_text(read_pdf(response)).split())

    assert "Catering: meals and social events" in text
    assert "Opening plenary" not in text
    # The lunch has no sign-up: every confirmed delegate eats (4), not the waiting nor the cancelled.
    lunch_part = text.split("Lunch at the port", 2)[2].split("Social dinner", 1)[0]
    assert "4 people" in lunch_part and "every confirmed delegate" in lunch_part
    assert "Vegetarian 2" in lunch_part and "Halal 1" in lunch_part and "Nut allergy 1" in lunch_part
    assert "No special diet 1" in lunch_part
    # 3 people with needs, 4 needs counted (Ana has two): the page says why the lines add up to more.
    assert "Someone with several dietary needs is counted once for each of them." in lunch_part
    assert "Vegan" not in lunch_part and "Kosher" not in lunch_part
    assert "Benali, Karim" in lunch_part
    # The dinner: its two booked sign-ups only.
    dinner_part = text.split("Social dinner", 2)[2]
    assert "2 people" in dinner_part and "40 places" in dinner_part
    assert "Vegetarian 2" in dinner_part and "Nut allergy 1" in dinner_part
    assert "Benali" not in dinner_part and "Cancelled" not in dinner_part
    # What delegates typed is printed as text, never as markup.
    assert "<b>Ström</b>, Eva" in dinner_part and "Port & City <script>" in dinner_part
    assert "Ruiz, Ana" in dinner_part and "Vegetarian, Nut allergy" in dinner_part


def test_the_caterers_csv_has_a_total_each_need_and_each_person_with_needs(app, client, make_meeting, make_session,
                                                                           make_registration, make_user):
    meeting, lunch, dinner = menu(app, make_meeting, make_session, make_registration)
    client = manager_client(client, make_user, meeting)
    response = client.get(f"/manage/meetings/{meeting.slug}/catering.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == ["event", "kind", "day", "start", "end", "room", "places", "line", "dietary need", "count",
                             "last name", "first name", "organisation", "country", "accompanying", "dietary needs"]
    totals = {row["event"]: int(row["count"]) for row in rows if row["line"] == "total"}
    assert totals == {"Lunch at the port": 4, "Social dinner": 2}
    dinner_needs = {row["dietary need"]: int(row["count"]) for row in rows
                    if row["line"] == "need" and row["event"] == "Social dinner"}
    assert dinner_needs == {"Vegetarian": 2, "Nut allergy": 1}
    people = [(row["last name"], row["dietary needs"]) for row in rows
              if row["line"] == "person" and row["event"] == "Social dinner"]
    assert people == [("<b>Ström</b>", "Vegetarian"), ("Ruiz", "Vegetarian, Nut allergy")]
    assert all(row["places"] == "40" for row in rows if row["event"] == "Social dinner")
    # A cell a spreadsheet would run as a formula is quoted.
    assert all(not row["organisation"].startswith("=") for row in rows)


def test_every_export_of_the_caterers_list_is_in_the_audit_trail(app, client, make_meeting, make_session,
                                                                 make_registration, make_user):
    meeting, _lunch, _dinner = menu(app, make_meeting, make_session, make_registration)
    client = manager_client(client, make_user, meeting)
    client.get(f"/manage/meetings/{meeting.slug}/catering.pdf")
    client.get(f"/manage/meetings/{meeting.slug}/catering.csv")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.kind == "export.catering")
                                     .order_by(AuditEntry.id)).all()
        assert [entry.details.get("format") for entry in entries] == ["pdf", "csv"]
        assert all(entry.actor_kind == "account" and entry.actor_user_id for entry in entries)


def test_only_the_meetings_staff_get_the_caterers_list(app, client, make_meeting, make_session, make_registration,
                                                       make_user):
    meeting, _lunch, _dinner = menu(app, make_meeting, make_session, make_registration)
    other = make_meeting(title="Another meeting")
    for suffix in ("catering.pdf", "catering.csv"):
        assert client.get(f"/manage/meetings/{meeting.slug}/{suffix}").status_code in (302, 401)
    make_user(email="other-host@example.org", hosts=(other,))
    client.login("other-host@example.org")
    for suffix in ("catering.pdf", "catering.csv"):
        assert client.get(f"/manage/meetings/{meeting.slug}/{suffix}").status_code == 404
    assert client.get(f"/manage/meetings/{other.slug}/catering.csv").status_code == 200


def test_the_manage_page_links_the_caterers_list(client, make_meeting, make_user):
    meeting = make_meeting()
    client = manager_client(client, make_user, meeting)
    page = client.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    assert f"/manage/meetings/{meeting.slug}/catering.pdf" in page
    assert f"/manage/meetings/{meeting.slug}/catering.csv" in page
