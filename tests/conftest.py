"""Test fixtures: a fresh app and database per test, a CSRF-aware client, factories.

SQLite in memory by default (the schema built once per process, copied into each test's database);
PostgreSQL when TEST_DATABASE_URL is set (tables are created once per run and emptied before each test).
Under pytest-xdist (`make test`) each worker process has its own PostgreSQL database, the URL's name
suffixed with the worker id (portmeet_test_gw0, …), created when missing.
"""
import os
import re
import sqlite3
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient

# Development settings are an explicit choice (unset means production), also for the commands and
# servers the tests start in their own processes.
os.environ["PORTMEET_ENV"] = "development"


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this xdist worker (created when missing): tests running side by side never
    empty each other's tables. Unchanged outside xdist, on SQLite, and when already a worker's URL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql
    from sqlalchemy.engine import make_url

    base = make_url(url)
    if base.database.endswith(f"_{worker}"):
        return url
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if connection.scalar(sql("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                connection.execute(sql(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Before config.py reads it: TestConfig, and the tests that build their own apps, see the worker's database.
if os.environ.get("TEST_DATABASE_URL"):
    os.environ["TEST_DATABASE_URL"] = _worker_database(os.environ["TEST_DATABASE_URL"])

from sqlalchemy import text

from config import TestConfig
from portmeet import create_app
from portmeet.accounts import passwords
from portmeet.accounts.models import MeetingRole, User
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus, ProgrammeSession, SessionKind, Speaker, Transport
from portmeet.registration.models import BookingStatus, Category, Registration, RegistrationStatus, VisitBooking
from portmeet.timeutil import utcnow

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
# A test database keeps nothing: its commits need not wait for the disk (1-5 ms each here). libpq reads this for
# every connection, the app servers' that tests start included.
os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PASSWORD = "correct-horse-42"


class FormClient(FlaskClient):
    """A test client that sends the CSRF token with every form, as a browser would."""

    _issued: tuple[str, str] | None = None  # (the session's secret, the token a page gave for it)

    def csrf_token(self) -> str:
        """The token a page of the site gives this client, as a browser reads it from the page it shows; asked
        again only when the session's CSRF secret has changed (signing in starts a new session), as a page
        gives the same token for as long as the secret lasts (1,100 pages fewer in the suite)."""
        secret = self._csrf_secret()
        if secret is None or self._issued is None or self._issued[0] != secret:
            token = CSRF_META.search(self.get("/").get_data(as_text=True)).group(1)
            self._issued = (self._csrf_secret(), token)
        return self._issued[1]

    def _csrf_secret(self) -> str | None:
        app = self.application
        cookie = self.get_cookie(app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        return app.session_interface.get_signing_serializer(app).loads(cookie.value).get("csrf_token")

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post_form("/login", {"email": email, "password": password})
        assert response.status_code == 303, "sign-in failed"
        return response


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Pages in French and Spanish need the compiled catalogues: build those older than their .po
    (what `make translations` does), written aside then moved, so parallel workers never read half a file."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "portmeet" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL, build the tables once for the whole run."""
    if not ON_POSTGRES:
        yield
        return
    app = create_app(TestConfig)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield
    with app.app_context():
        db.engine.dispose()


def _settings_of(config_class) -> dict:
    return {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}


@pytest.fixture(scope="session")
def _worker_app(_postgres_schema):
    """One app per test process: building one (82 URL rules compiled, every template compiled again on first
    use) cost each test a quarter of a second of CPU. Its settings are put back before each test (`app`)."""
    app = create_app(TestConfig)
    app.test_client_class = FormClient
    yield app, dict(app.config), _settings_of(TestConfig)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_worker_app, tmp_path):
    """The process's app with its settings as built (whatever an earlier test changed) and an empty database;
    an app of its own for a test that changed TestConfig before asking for it (e.g. rate limits switched on)."""
    app, settings, built_from = _worker_app
    own = _settings_of(TestConfig) != built_from
    if own:
        app = create_app(TestConfig)
        app.test_client_class = FormClient
    else:
        app.config.clear()
        app.config.update(settings)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")  # uploads of one test never meet another's
    with app.app_context():
        if ON_POSTGRES:
            _empty_postgres_tables(db.engine)
        elif str(db.engine.url) == "sqlite://":
            _copy_empty_schema(db.engine)
        else:  # a test pointed TestConfig at a file of its own
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if own:
            db.engine.dispose()


def _empty_postgres_tables(engine) -> None:
    """Every row deleted and every id sequence back at 1. DELETE, not TRUNCATE: a TRUNCATE of every table gives
    each table and index a new file, 100-300 ms a test here against 2 ms (a minute of a run's worker time). The
    tests that read rows in insertion order say ORDER BY, as the pages do."""
    deletes = "; ".join(f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        connection.exec_driver_sql(deletes)
        connection.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"))


_schema_template: list[sqlite3.Connection] = []


def _copy_empty_schema(engine) -> None:
    """Into the app's in-memory SQLite database, an empty copy of the schema built once per process (the
    backup API copies pages: far cheaper than creating every table and index again for each test)."""
    if not _schema_template:
        builder = create_app(type("SchemaTemplate", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
        with builder.app_context():
            db.create_all()
            template = sqlite3.connect(":memory:", check_same_thread=False)
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.backup(template)
            finally:
                raw.close()
            db.engine.dispose()
        _schema_template.append(template)
    raw = engine.raw_connection()
    try:
        _schema_template[0].backup(raw.driver_connection)
    finally:
        raw.close()


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# argon2id at its lowest cost (8 KiB, one pass): the production parameters cost 80 ms of CPU for every sign-in
# and every upgraded hash, thousands of times a run. Tests marked `password_hashing` keep them.
CHEAP_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request, monkeypatch):
    if request.node.get_closest_marker("password_hashing") is None:
        monkeypatch.setattr(passwords, "HASHER", CHEAP_PASSWORD_HASHER)


@lru_cache(maxsize=None)
def _quick_password_hash(password: str) -> str:
    """A real hash the sign-in checks as any other, but cheap: the production scrypt costs 0.1 s each to make
    and to check, hundreds of times a run. (Accounts made through the app's own pages keep scrypt.)"""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def _save(app, obj):
    """Add, commit and return the object with its columns loaded, usable outside the app context."""
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@pytest.fixture
def make_user(app):
    def make(email: str = "host@example.org", name: str = "Hanna Host", organiser: bool = False,
             password: str = PASSWORD, hosts: tuple[Meeting, ...] = ()) -> User:
        user = User(email=email.lower(), name=name, is_organiser=organiser)
        user.password_hash = _quick_password_hash(password)
        user = _save(app, user)
        for meeting in hosts:
            _save(app, MeetingRole(user_id=user.id, meeting_id=meeting.id))
        return user

    return make


@pytest.fixture
def make_meeting(app):
    counter = iter(range(1, 10_000))

    def make(**fields) -> Meeting:
        n = next(counter)
        start = fields.pop("start_date", utcnow().date() + timedelta(days=30))
        values = dict(
            title=f"Citizen Port Meeting {n}", edition=n, slug=f"meeting-{n}", city="Bilbao", country="ES",
            venue="Itsasmuseum", start_date=start, end_date=start + timedelta(days=1), timezone="Europe/Madrid",
            description="Port and city, together.", host_organisation="Bilbao Port Authority",
            contact_email="contact@bilbaoport.example", capacity=80, status=MeetingStatus.published,
            registration_opens=datetime.combine(utcnow().date() - timedelta(days=10), time(9)),
            registration_closes=datetime.combine(start - timedelta(days=1), time(23, 59)),
        )
        values.update(fields)
        return _save(app, Meeting(**values))

    return make


@pytest.fixture
def make_session(app):
    def make(meeting: Meeting, **fields) -> ProgrammeSession:
        speakers = fields.pop("speakers", [])
        values = dict(day=meeting.start_date, start_time=time(9), end_time=time(10), title="Opening plenary",
                      kind=SessionKind.plenary, room="Auditorium", description="")
        values.update(fields)
        session = ProgrammeSession(meeting_id=meeting.id, **values)
        session.speakers = [Speaker(name=name, organisation=org, country=cc, position=i)
                            for i, (name, org, cc) in enumerate(speakers)]
        return _save(app, session)

    return make


@pytest.fixture
def make_visit(app):
    def make(meeting: Meeting, **fields) -> FieldVisit:
        values = dict(title="Port tour by boat", description="", day=meeting.start_date, start_time=time(15),
                      end_time=time(17), meeting_point="Pier 3", transport=Transport.boat, capacity=10,
                      requires_id=False, id_deadline=None)
        values.update(fields)
        return _save(app, FieldVisit(meeting_id=meeting.id, **values))

    return make


@pytest.fixture
def make_registration(app):
    """A registration written straight to the database (for tests of what is done with registrations)."""
    counter = iter(range(1, 100_000))

    def make(meeting: Meeting, visits: tuple[FieldVisit, ...] = (), **fields) -> Registration:
        n = next(counter)
        values = dict(first_name="Delegate", last_name=f"Number {n}", email=f"delegate{n}@example.org",
                      organisation="Port of Genoa", country="IT", category=Category.delegate,
                      status=RegistrationStatus.confirmed, consent_list=True)
        values.update(fields)
        values.setdefault("email_normalized", values["email"].lower())
        registration = Registration(meeting_id=meeting.id, **values)
        registration.token = registration.set_new_token()
        registration.bookings = [VisitBooking(visit_id=v.id, status=BookingStatus.booked) for v in visits]
        token = registration.token
        registration = _save(app, registration)
        registration.token = token  # the plain token, known only at creation
        return registration

    return make


@pytest.fixture
def organiser(make_user) -> User:
    return make_user(email="organiser@example.org", name="Olga Organiser", organiser=True)


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps every message it receives."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(app):
    """A running loopback SMTP server; the app is configured to send through it."""
    inbox = SmtpInbox()
    inbox.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_USE_TLS=False)
    yield inbox
    inbox.stop()


def today() -> date:
    return utcnow().date()


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup` (make test) the tests of a live server share one worker: each browser test
    module names its server's group (`xdist_group`, tests/e2e/conftest.py); "browser-a" for one that does
    not. Two groups run side by side, each with its own server and Chromium, on the two workers.

    pytest-xdist 3.8 tells its scheduler a test's group by adding "@group" to the test's id, which pytest 9.2 no
    longer lets it change (pytest-dev/pytest-xdist#1386): the groups were silently ignored, every test sent
    anywhere, each worker starting servers of its own. After xdist's hook, the suffix is added here if lost."""
    for item in items:
        if item.get_closest_marker("browser") is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group("browser-a"))
    result = yield
    if getattr(config.option, "loadgroup", False):
        from _pytest.nodeid import NodeId

        for item in items:
            groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                             for mark in item.iter_markers("xdist_group")})
            if groups and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):  # as xdist's scheduler reads it
                item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")
    return result
