"""The meeting's dashboard on its manage page: figures that match the database, each linked to the table."""
import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from portmeet.extensions import db
from portmeet.registration.models import (
    BookingStatus,
    Category,
    Registration,
    RegistrationStatus,
    VisitBooking,
    hash_token,
)
from portmeet.timeutil import utcnow


@pytest.fixture
def meeting(make_meeting):
    today = utcnow().date()
    return make_meeting(title="Citizen Port Meeting Hamburg", timezone="UTC",
                        registration_opens=datetime.combine(today - timedelta(days=6), time(9)))


@pytest.fixture
def manager(client, organiser):
    client.login(organiser.email)
    return client


def manage_page(client, meeting) -> str:
    response = client.get(f"/manage/meetings/{meeting.slug}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table_url(meeting, query: str) -> str:
    return f'href="/manage/meetings/{meeting.slug}/registrations?{query}"'


def test_status_counts_link_to_the_filtered_table(app, manager, meeting, make_registration):
    for status, number in ((RegistrationStatus.confirmed, 4), (RegistrationStatus.waitlisted, 2),
                           (RegistrationStatus.cancelled, 1)):
        for _ in range(number):
            make_registration(meeting, status=status)
    page = manage_page(manager, meeting)
    with app.app_context():
        in_database = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.meeting_id == meeting.id)
            .group_by(Registration.status)).all())
    for status, label in ((RegistrationStatus.confirmed, "confirmed"), (RegistrationStatus.waitlisted, "on the waiting list"),
                          (RegistrationStatus.cancelled, "cancelled")):
        assert f'{table_url(meeting, "status=" + status.value)}><strong>{in_database[status]}</strong> {label}</a>' in page


def test_delegates_by_country_and_category(manager, meeting, make_registration):
    for country, category, number in (("IT", Category.delegate, 3), ("FR", Category.delegate, 2),
                                      ("FR", Category.speaker, 1), ("GR", Category.press, 1)):
        for _ in range(number):
            make_registration(meeting, country=country, category=category)
    make_registration(meeting, country="DE", status=RegistrationStatus.cancelled)  # not a delegate any more
    page = manage_page(manager, meeting)
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num"><a href="([^"]+)">(\d+)</a></td></tr>', page)
    countries = [(name, int(n)) for name, href, n in rows if "country=" in href]
    assert countries == [("France", 3), ("Italy", 3), ("Greece", 1)]  # most first, then by code
    categories = [(name, int(n)) for name, href, n in rows if "category=" in href]
    assert categories == [("Delegate", 5), ("Speaker", 1), ("Press", 1)]
    assert table_url(meeting, "status=confirmed&amp;country=FR") in page
    assert table_url(meeting, "status=confirmed&amp;category=speaker") in page
    assert "Germany" not in page
    # The bar charts are drawn on the server, with no script at all.
    assert page.count('<svg class="chart chart-bars"') == 2
    assert "<script" not in page


def test_registrations_by_day_since_opening(app, manager, meeting, make_registration):
    today = utcnow().date()
    for days_ago, number in ((5, 2), (2, 3), (0, 1)):
        for _ in range(number):
            make_registration(meeting, created_at=datetime.combine(today - timedelta(days=days_ago), time(12)))
    page = manage_page(manager, meeting)
    assert '<svg class="chart chart-days"' in page
    assert page.count('<rect class="bar"') >= 3
    table = page.split("The same as a table", 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<td class="num">(\d+)</td>', table) == ["2", "3", "1"]
    assert "6 registrations since registration opened" in page


def test_field_visits_places_waitlist_and_missing_id_data(app, manager, meeting, make_visit, make_registration):
    today = utcnow().date()
    boat = make_visit(meeting, title="Port tour by boat", capacity=3, requires_id=True,
                      id_deadline=today + timedelta(days=5))
    museum = make_visit(meeting, title="Maritime museum", capacity=10, start_time=time(9), end_time=time(11))
    complete = dict(nationality="IT", id_number="YA1234567", date_of_birth=date(1980, 5, 1))
    make_registration(meeting, visits=(boat, museum), **complete)
    make_registration(meeting, visits=(boat,))  # no ID data yet
    make_registration(meeting, visits=(boat,), nationality="FR", id_number="")  # incomplete
    waiting = make_registration(meeting)
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=boat.id, status=BookingStatus.waitlisted))
        db.session.commit()
    page = manage_page(manager, meeting)
    boat_row = page.split(f'id="dashboard-visit-{boat.id}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num">(?:<a href="[^"]+">)?(\d+)', boat_row)
    assert cells == ["3", "3", "0", "1"]  # places, booked, left, waiting list
    assert re.search(r'id_missing=1" class="missing-id has-missing">2</a>', boat_row)
    assert "due by" in boat_row
    museum_row = page.split(f'id="dashboard-visit-{museum.id}"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(?:<a href="[^"]+">)?(\d+)', museum_row) == ["10", "1", "9", "0"]
    assert "not needed" in museum_row
    assert table_url(meeting, f"visit={boat.id}&amp;booking=booked") in page
    assert table_url(meeting, f"visit={boat.id}&amp;booking=waitlisted") in page


def test_missing_id_data_after_the_deadline_is_flagged(manager, meeting, make_visit, make_registration):
    boat = make_visit(meeting, requires_id=True, id_deadline=utcnow().date() - timedelta(days=1))
    make_registration(meeting, visits=(boat,))
    page = manage_page(manager, meeting)
    assert re.search(r'<span class="error">deadline passed on', page)


def test_catering_summary_counts_each_need(manager, meeting, make_registration):
    for diet in ("Vegetarian", "vegetarian ", "VEGETARIAN", "Halal", "No pork", ""):
        make_registration(meeting, dietary=diet)
    make_registration(meeting, dietary="Vegan", status=RegistrationStatus.cancelled)  # not coming: not catered
    make_registration(meeting, accessibility="Wheelchair user")
    make_registration(meeting, accessibility="Hearing loop", dietary="Halal")
    page = manage_page(manager, meeting)
    catering = page.split('id="catering"', 1)[1]
    assert "6 confirmed delegates with dietary needs" in catering
    needs = re.findall(r'<td dir="auto">([^<]+)</td><td class="num">(\d+)</td>', catering)
    assert needs[:3] == [("Vegetarian", "3"), ("Halal", "2"), ("No pork", "1")]
    assert "Vegan" not in catering
    assert "2 confirmed delegates with accessibility needs" in catering
    assert ("Hearing loop", "1") in needs and ("Wheelchair user", "1") in needs


def test_arrivals_appear_once_check_in_starts(app, manager, meeting, make_registration):
    first = make_registration(meeting)
    make_registration(meeting)
    assert "arrived" not in manage_page(manager, meeting)
    with app.app_context():
        db.session.get(Registration, first.id).checked_in_at = utcnow()
        db.session.commit()
    page = manage_page(manager, meeting)
    assert f'{table_url(meeting, "arrived=yes")}><strong>1</strong> / 2 arrived</a>' in page
    assert f'href="/manage/meetings/{meeting.slug}/checkin">Open the check-in desk</a>' in page


def test_empty_meeting_dashboard(manager, make_meeting):
    meeting = make_meeting(registration_opens=None)
    page = manage_page(manager, meeting)
    assert "No registration yet." in page
    assert "0 confirmed delegates with dietary needs" in page


def test_user_text_in_figures_is_escaped(manager, meeting, make_registration, make_visit):
    make_visit(meeting, title="<img src=x onerror=alert(1)>")
    make_registration(meeting, dietary="<script>alert('diet')</script>")
    page = manage_page(manager, meeting)
    assert "<script>alert('diet')" not in page and "<img src=x" not in page


def test_every_figure_opens_the_table_filtered_to_exactly_those_registrations(app, manager, meeting, make_visit,
                                                                              make_registration):
    today = utcnow().date()
    boat = make_visit(meeting, title="Port tour by boat", capacity=2, requires_id=True,
                      id_deadline=today + timedelta(days=5))
    museum = make_visit(meeting, title="Maritime museum", capacity=10, start_time=time(9), end_time=time(11))
    complete = dict(nationality="IT", id_number="YA1234567", date_of_birth=date(1980, 5, 1))
    make_registration(meeting, visits=(boat, museum), country="IT", dietary="Vegetarian", **complete)
    make_registration(meeting, visits=(boat,), country="FR", category=Category.speaker, accessibility="Wheelchair user")
    make_registration(meeting, visits=(museum,), country="FR", category=Category.press, checked_in_at=utcnow())
    make_registration(meeting, country="GR", dietary="Halal", checked_in_at=utcnow())
    waiting = make_registration(meeting, country="ES", status=RegistrationStatus.waitlisted)
    make_registration(meeting, country="DE", dietary="Vegan", status=RegistrationStatus.cancelled)
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=boat.id, status=BookingStatus.waitlisted))
        db.session.commit()

    dashboard = manage_page(manager, meeting).split('<section class="dashboard"', 1)[1]
    links = re.findall(r'<a href="(/manage/meetings/[^/]+/registrations[^"]*)"([^>]*)>(.*?)</a>', dashboard, re.S)
    checked = 0
    for href, attributes, inside in links:
        table = manager.get(href.replace("&amp;", "&"))
        assert table.status_code == 200, href
        shown = int(re.search(r'<strong class="count-shown">(\d+)</strong>', table.get_data(as_text=True)).group(1))
        if "chart-link" in attributes:  # registrations by day: all of them
            assert shown == 6, href
            continue
        figure = int(re.search(r"\d+", re.sub(r"<title>.*?</title>|<[^>]+>", " ", inside)).group(0))
        assert shown == figure, (href, inside)
        checked += 1
    # 4 tiles, countries (3 bars, 3 rows, the total), categories (3 bars, 3 rows), the visits (booked and
    # waiting for each, ID data missing for the boat), catering (2), arrivals (the total and 3 categories)
    assert checked == 4 + 7 + 6 + 5 + 2 + 4


# --- a bounded number of queries, whatever the number of registrations ---------------------------

COUNTRIES = ["IT", "FR", "ES", "PT", "GR", "DE", "NL", "BE"]


def add_registrations(app, meeting, number: int, visits=()) -> None:
    """Many varied registrations in one statement (the factory's one commit each is too slow for 500)."""
    now = utcnow()
    rows = []
    for n in range(number):
        email = f"bulk{n}@example.org"
        rows.append(dict(
            meeting_id=meeting.id, first_name=f"Bulk{n}", last_name=f"Delegate{n}", badge_name="", email=email,
            email_normalized=email, organisation=f"Port {n % 17}", job_title="", country=COUNTRIES[n % len(COUNTRIES)],
            phone="", category=list(Category)[n % len(Category)], dietary=["", "Vegetarian", "Halal", f"Allergy {n % 9}"][n % 4],
            accessibility="Wheelchair" if n % 11 == 0 else "", consent_list=True,
            status=list(RegistrationStatus)[n % 3], token_hash=hash_token(f"bulk-{meeting.id}-{n}"),
            created_at=now - timedelta(days=n % 7, hours=n % 5), updated_at=now,
            checked_in_at=now if n % 4 == 0 else None,
        ))
    with app.app_context():
        db.session.execute(insert(Registration), rows)
        ids = db.session.scalars(select(Registration.id).where(Registration.meeting_id == meeting.id)).all()
        bookings = [dict(registration_id=registration_id, visit_id=visit.id, created_at=now,
                         status=BookingStatus.booked if i % 3 else BookingStatus.waitlisted)
                    for i, registration_id in enumerate(ids) for visit in visits]
        if bookings:
            db.session.execute(insert(VisitBooking), bookings)
        db.session.commit()


def count_queries(app, client, url: str) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("page", ["/manage/meetings/{slug}/", "/manage/meetings/{slug}/checkin",
                                  "/manage/meetings/{slug}/checkin?q=delegate", "/manage/meetings/{slug}/checkin?q=bulk1",
                                  "/manage/meetings/{slug}/checkin/walk-in"])
def test_query_count_does_not_grow_with_registrations(app, client, make_user, make_meeting, make_visit, page):
    counts = []
    for number in (10, 500):
        meeting = make_meeting()
        visits = (make_visit(meeting, requires_id=True, id_deadline=meeting.start_date),
                  make_visit(meeting, title="Museum", start_time=time(9), end_time=time(11)))
        add_registrations(app, meeting, number, visits)
        client.login(make_user(email=f"host{number}@example.org", hosts=(meeting,)).email)
        url = page.format(slug=meeting.slug)
        client.get(url)  # warm-up: the first request loads the user and fills caches
        counts.append(count_queries(app, client, url))
    assert counts[0] == counts[1], counts
