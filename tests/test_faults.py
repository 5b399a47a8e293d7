"""The database connection dies in the middle of a registration: the delegate gets a clear error page,
nothing is half-saved, and the next request works.

PostgreSQL only: the app's own backend is really terminated (`pg_terminate_backend`, from a second
connection) at the moment the registration writes, so the request loses its connection mid-transaction.
"""
import psycopg
import pytest
from sqlalchemy import event, func, select

from config import TestConfig
from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, OutboxMessage, Registration, VisitBooking
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.test_registration import form_data, page_text, token_of

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")]


def terminate_backend(pid: int) -> None:
    """From another connection, as an administrator would; waits until the backend has gone."""
    with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]


class ConnectionKiller:
    """Kills the app's database connection just before the first statement that holds `statement` (a registration's
    rows and picks go in one statement on PostgreSQL: INSERTs in a WITH clause, portmeet/direct_insert.py)."""

    def __init__(self, statement: str):
        self.statement = statement
        self.killed = False

    def __call__(self, conn, cursor, sql, parameters, context, executemany):
        if not self.killed and self.statement in sql.upper():
            self.killed = True
            terminate_backend(conn.connection.dbapi_connection.info.backend_pid)


def saved(app) -> dict:
    with app.app_context():
        return {name: db.session.scalar(select(func.count()).select_from(model))
                for name, model in (("registrations", Registration), ("bookings", VisitBooking),
                                    ("messages", OutboxMessage))}


@pytest.mark.parametrize("statement", [
    "INSERT INTO REGISTRATIONS",    # the delegate's row
    "INSERT INTO VISIT_BOOKINGS",   # the delegate's row and their visit place
    "INSERT INTO OUTBOX_MESSAGES",  # everything written but the confirmation e-mail
])
def test_connection_lost_mid_registration_shows_an_error_page_saves_nothing_and_the_retry_works(
        app, client, make_meeting, make_visit, statement):
    meeting = make_meeting()
    visit = make_visit(meeting, capacity=5)
    data = form_data(visits=str(visit.id))
    csrf_token = client.csrf_token()  # fetched before the trap is set
    killer = ConnectionKiller(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", killer)
    try:
        response = client.post(f"/meetings/{meeting.slug}/register", data={**data, "csrf_token": csrf_token})
    finally:
        event.remove(engine, "before_cursor_execute", killer)

    assert killer.killed, "the registration never reached the statement"
    assert response.status_code == 503
    assert "The service is briefly unavailable; please try again in a moment." in page_text(response)
    assert saved(app) == {"registrations": 0, "bookings": 0, "messages": 0}

    # The delegate tries again: the pool replaces the dead connection and the registration goes through.
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", data))
    assert "Ana Ruiz" in page_text(client.get(f"/registrations/{token}"))
    assert saved(app) == {"registrations": 1, "bookings": 1, "messages": 1}
    with app.app_context():
        assert db.session.scalar(select(VisitBooking.status)) == BookingStatus.booked


@pytest.fixture
def short_lock_timeout(monkeypatch):
    """Lock waits bounded at 0.3 s (before `app` is built: an app of its own, with connections set so)."""
    monkeypatch.setattr(TestConfig, "LOCK_TIMEOUT_MS", 300)


def test_a_registration_stuck_behind_a_held_meeting_lock_gets_an_error_page_saves_nothing_and_the_retry_works(
        short_lock_timeout, app, client, make_meeting, make_visit):
    meeting = make_meeting()
    visit = make_visit(meeting, capacity=5)
    data = form_data(visits=str(visit.id))
    csrf_token = client.csrf_token()
    # Another transaction (a host's change that hangs, say) holds the meeting's row for as long as it likes.
    with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")) as other:
        other.execute("SELECT id FROM meetings WHERE id = %s FOR UPDATE", (meeting.id,))
        response = client.post(f"/meetings/{meeting.slug}/register", data={**data, "csrf_token": csrf_token})
        assert response.status_code == 503  # after 0.3 s, not queued for as long as the other holds the lock
        assert "The service is briefly unavailable; please try again in a moment." in page_text(response)
        assert saved(app) == {"registrations": 0, "bookings": 0, "messages": 0}
    token = token_of(client.post_form(f"/meetings/{meeting.slug}/register", data))  # the lock is gone
    assert "Ana Ruiz" in page_text(client.get(f"/registrations/{token}"))
    assert saved(app) == {"registrations": 1, "bookings": 1, "messages": 1}
