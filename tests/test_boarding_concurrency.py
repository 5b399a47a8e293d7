"""Roll call under concurrency: guides' phones sending the same mark at the same moment record it once,
and two guides adding stray delegates for the last place on a visit never overfill it.

Each guide is a thread with its own test client and database connection, released together by a
barrier; on PostgreSQL set TEST_DATABASE_URL, else a temporary SQLite file is shared."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from config import TestConfig
from portmeet import create_app
from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, VisitBooking
from portmeet.checkin.tokens import checkin_token
from tests.conftest import ON_POSTGRES, POSTGRES_URL, FormClient

GUIDES = 8


@pytest.fixture
def shared_app(app, tmp_path):
    url = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'boarding.sqlite'}"
    config = type("BoardingConcurrencyConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": GUIDES + 5},
    })
    shared = create_app(config)
    shared.test_client_class = FormClient
    with shared.app_context():
        if not ON_POSTGRES:
            db.create_all()
    yield shared
    with shared.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def setup(shared_app):
    """Factories bound to the shared database (the suite's own write to another SQLite database)."""
    from portmeet.accounts.models import User
    from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus
    from portmeet.registration.models import Registration, RegistrationStatus
    from datetime import date, time

    with shared_app.app_context():
        user = User(email="guide@example.org", name="Guide", is_organiser=True)
        user.set_password("correct-horse-42")
        meeting = Meeting(title="M", slug="m", city="Valencia", country="ES", start_date=date(2031, 5, 1),
                          end_date=date(2031, 5, 1), timezone="Europe/Madrid", capacity=50,
                          status=MeetingStatus.published)
        visit = FieldVisit(meeting=meeting, title="Boat", day=date(2031, 5, 1), start_time=time(15),
                           end_time=time(17), capacity=2)
        people = []
        for n in range(1 + GUIDES):
            registration = Registration(meeting=meeting, first_name="D", last_name=f"N{n}", email=f"d{n}@example.org",
                                        email_normalized=f"d{n}@example.org", organisation="Port", country="ES",
                                        status=RegistrationStatus.confirmed)
            registration.set_new_token()
            people.append(registration)
        people[0].bookings.append(VisitBooking(visit=visit, status=BookingStatus.booked))
        db.session.add_all([user, meeting, visit, *people])
        db.session.commit()
        return {"meeting": meeting.slug, "visit": visit.id, "booking": people[0].bookings[0].id,
                "strays": [(r.id, checkin_token(r)) for r in people[1:]]}


def all_at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def guide_client(shared_app) -> FormClient:
    client = shared_app.test_client()
    client.login("guide@example.org", "correct-horse-42")
    return client


def test_the_same_mark_from_many_phones_at_once_counts_once(shared_app, setup):
    url = f"/manage/meetings/{setup['meeting']}/visits/{setup['visit']}/boarding/{setup['booking']}/mark"

    def call(client, token):
        return lambda: client.post(url, data={"csrf_token": token, "step": "board"},
                                   headers={"Accept": "application/json"}).json

    clients = [guide_client(shared_app) for _ in range(GUIDES)]
    answers = all_at_once([call(client, client.csrf_token()) for client in clients])

    assert sorted(answer["outcome"] for answer in answers) == ["already"] * (GUIDES - 1) + ["marked"]
    assert len({answer["booking"]["boarded"] for answer in answers}) == 1


def test_guides_adding_strays_at_once_never_overfill_the_visit(shared_app, setup):
    base = f"/manage/meetings/{setup['meeting']}/visits/{setup['visit']}/boarding/add/"

    def call(client, token, registration_id):
        return lambda: client.post(base + str(registration_id), data={"csrf_token": token, "confirm": "y"}).status_code

    clients = [guide_client(shared_app) for _ in range(GUIDES)]
    statuses = all_at_once([call(client, client.csrf_token(), registration_id)
                            for client, (registration_id, _code) in zip(clients, setup["strays"])])

    assert sorted(statuses) == [303] + [409] * (GUIDES - 1)  # one place was left
    with shared_app.app_context():
        booked = db.session.scalar(select(func.count()).select_from(VisitBooking).where(
            VisitBooking.visit_id == setup["visit"], VisitBooking.status == BookingStatus.booked))
        assert booked == 2
