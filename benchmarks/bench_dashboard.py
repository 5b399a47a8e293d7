"""Times the meeting dashboard (its manage page) and the check-in desk with 1,000 registrations.

    .venv/bin/python benchmarks/bench_dashboard.py [--registrations 1000] [--runs 15]

Runs on a SQLite file and, when reachable, on PostgreSQL (BENCH_DATABASE_URL, default a local
portmeet_bench database); prints the median, fastest and slowest of several requests through the
test client (the whole Flask request: routing, session, queries, Jinja, SVG), and the SQL statements
per page. Target: the dashboard under 200 ms.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select, text  # noqa: E402

from config import TestConfig  # noqa: E402
from portmeet import create_app  # noqa: E402
from portmeet.accounts.models import User  # noqa: E402
from portmeet.extensions import db  # noqa: E402
from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus, Transport  # noqa: E402
from portmeet.registration.models import (  # noqa: E402
    BookingStatus,
    Category,
    Registration,
    RegistrationStatus,
    VisitBooking,
    hash_token,
)
from portmeet.checkin.tokens import checkin_token  # noqa: E402
from portmeet.timeutil import utcnow  # noqa: E402

PASSWORD = "bench-password-42"
POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/portmeet_bench")
NAMES = [("Iñaki", "Goñi"), ("Νίκος", "Παπαδόπουλος"), ("Øyvind", "Ødegård"), ("Мария", "Иванова"),
         ("יעל", "כהן"), ("ليلى", "حداد"), ("Anna", "Schmidt"), ("João", "Araújo"), ("Zoë", "Brontë"),
         ("Łukasz", "Wałęsa"), ("Chloé", "Lefèvre"), ("Giulia", "Rossi")]
DIETS = ["", "", "", "", "Vegetarian", "vegetarian", "Vegan", "Halal", "Kosher", "No pork", "Gluten-free",
         "Nut allergy"]


def bench_config(url: str) -> type:
    return type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def load(app, registrations: int) -> tuple[str, str]:
    """A fresh schema with one published meeting, four field visits and `registrations` delegates."""
    rng = random.Random(42)
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        organiser = User(email="organiser@example.org", name="Olga Organiser", is_organiser=True)
        organiser.set_password(PASSWORD)
        today = utcnow().date()
        start = today + timedelta(days=20)
        meeting = Meeting(title="Citizen Port Meeting Benchmark", edition=9, slug="bench", city="Bilbao", country="ES",
                          start_date=start, end_date=start + timedelta(days=1), timezone="Europe/Madrid",
                          capacity=2000, status=MeetingStatus.published,
                          registration_opens=datetime.combine(today - timedelta(days=60), time(9)),
                          registration_closes=datetime.combine(start - timedelta(days=1), time(23)))
        db.session.add_all([organiser, meeting])
        db.session.flush()
        visits = [FieldVisit(meeting_id=meeting.id, title=title, day=start, start_time=time(h), end_time=time(h + 2),
                             transport=Transport.boat, capacity=cap, requires_id=needs_id,
                             id_deadline=start - timedelta(days=7) if needs_id else None)
                  for title, h, cap, needs_id in (("Port tour by boat", 9, 200, True), ("Port Center", 12, 150, False),
                                                  ("Maritime museum", 15, 300, False), ("Research lab", 18, 80, True))]
        db.session.add_all(visits)
        db.session.flush()
        countries = sorted({c for c in ("ES", "FR", "IT", "PT", "GR", "DE", "NL", "BE", "DK", "SE", "NO", "FI", "PL",
                                        "EE", "LV", "LT", "IE", "GB", "MA", "TN", "DZ", "EG", "IL", "LB", "TR", "HR",
                                        "SI", "MT", "CY", "RO", "BG", "UA", "GE", "CA", "US", "BR", "AR", "JP", "KR",
                                        "SN")})
        now = utcnow()
        rows = []
        for n in range(registrations):
            first, last = rng.choice(NAMES)
            email = f"delegate{n}@example.org"
            roll = rng.random()
            status = (RegistrationStatus.confirmed if roll < .8 else
                      RegistrationStatus.waitlisted if roll < .9 else RegistrationStatus.cancelled)
            rows.append(dict(
                meeting_id=meeting.id, first_name=first, last_name=f"{last} {n}", badge_name="", email=email,
                email_normalized=email, organisation=f"Port Authority {n % 60}", job_title="",
                country=countries[n % len(countries)], phone="", category=rng.choice(list(Category)),
                dietary=rng.choice(DIETS), accessibility="Wheelchair user" if n % 37 == 0 else "",
                consent_list=True, status=status, token_hash=hash_token(f"bench-{n}"),
                nationality="ES" if n % 3 else None, id_number="X123" if n % 3 else None,
                date_of_birth=date(1980, 1, 1) if n % 3 else None,
                created_at=now - timedelta(days=rng.randrange(60), minutes=rng.randrange(1440)), updated_at=now,
                checked_in_at=now if status == RegistrationStatus.confirmed and n % 2 else None,
            ))
        db.session.execute(insert(Registration), rows)
        ids = db.session.scalars(select(Registration.id).where(Registration.meeting_id == meeting.id)).all()
        bookings = [dict(registration_id=rid, visit_id=visit.id, created_at=now,
                         status=BookingStatus.booked if rng.random() < .85 else BookingStatus.waitlisted)
                    for rid in ids for visit in rng.sample(visits, 2)]
        db.session.execute(insert(VisitBooking), bookings)
        db.session.commit()
        code = checkin_token(db.session.get(Registration, ids[len(ids) // 2]))
        return meeting.slug, code


def time_page(app, client, url: str, runs: int) -> tuple[list[float], int]:
    response = client.get(url)  # warm-up: templates compiled, caches filled
    assert response.status_code == 200, (url, response.status_code)
    statements = []
    with app.app_context():
        engine = db.engine

    def record(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", record)
    client.get(url)
    event.remove(engine, "before_cursor_execute", record)
    seconds = []
    for _ in range(runs):
        started = clock.perf_counter()
        response = client.get(url)
        seconds.append(clock.perf_counter() - started)
        assert response.status_code == 200
    return seconds, len(statements)


def bench(label: str, url: str, registrations: int, runs: int) -> None:
    app = create_app(bench_config(url))
    with app.test_request_context():
        slug, code = load(app, registrations)
    client = app.test_client()
    login = client.get("/login")
    token = login.get_data(as_text=True).split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token})
    pages = [("dashboard (manage page)", f"/manage/meetings/{slug}/"),
             ("check-in desk, no search", f"/manage/meetings/{slug}/checkin"),
             ("check-in desk, search 'inaki'", f"/manage/meetings/{slug}/checkin?q=inaki"),
             ("check-in QR page", f"/manage/meetings/{slug}/checkin/{code}")]
    for name, page in pages:
        seconds, statements = time_page(app, client, page, runs)
        print(f"{label:<10} {name:<32} median {statistics.median(seconds) * 1000:7.1f} ms"
              f"  (min {min(seconds) * 1000:6.1f}, max {max(seconds) * 1000:6.1f}; {statements} SQL statements)")
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def fresh_postgres_database(url: str) -> bool:
    """Create the benchmark's own PostgreSQL database afresh; False (and PostgreSQL skipped) when the
    server cannot be reached."""
    from bench_load import recreate_database

    try:
        recreate_database(url)
        return True
    except Exception as error:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); skipped.")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{args.registrations} registrations, {args.runs} timed requests per page\n")
    with tempfile.TemporaryDirectory() as folder:
        bench("SQLite", f"sqlite:///{folder}/bench.sqlite", args.registrations, args.runs)
    if fresh_postgres_database(POSTGRES_URL):
        bench("PostgreSQL", POSTGRES_URL, args.registrations, args.runs)


if __name__ == "__main__":
    main()
