"""Against gunicorn in production mode (PORTMEET_ENV=production, its gunicorn.conf.py, two workers, a SQLite
file): a forged Host never reaches an e-mail, an old link keeps working after a re-send, the access log
holds no token, and the longest programme a meeting may hold (MAX_SESSIONS_PER_MEETING sessions) being rendered
does not make other pages fail."""
import os
import re
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from tests import fresh_python

ROOT = Path(__file__).resolve().parents[2]
KEY = "3f9c1e7a5b2d8064c1f7e9a3b5d2c8e0417a9b3c5d7e1f2a"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
# One worker runs the three tests (`make test`, --dist loadgroup): one gunicorn started, not one per worker.
pytestmark = pytest.mark.xdist_group("production-server")
SETUP = """
from datetime import date, datetime, time, timedelta
from config import Config
from portmeet import create_app
from portmeet.extensions import db
from portmeet.meetings.models import Meeting, MeetingStatus, ProgrammeSession
from portmeet.registration.service import register
app = create_app()
with app.app_context():
    start = date.today() + timedelta(days=30)
    meeting = Meeting(title="Big programme", slug="big", city="Genoa", country="IT", start_date=start,
                      end_date=start + timedelta(days=1), timezone="Europe/Rome", capacity=80,
                      status=MeetingStatus.published, registration_opens=datetime(2000, 1, 1))
    db.session.add(meeting)
    db.session.flush()
    for n in range(Config.MAX_SESSIONS_PER_MEETING):  # the most the forms let a host add
        day = start + timedelta(days=n % 2)
        minute = (n // 2) % 600
        db.session.add(ProgrammeSession(meeting_id=meeting.id, day=day, start_time=time(8 + minute // 60, minute % 60),
                                        end_time=time(8 + minute // 60, minute % 60, 30), title=f"Session {n}",
                                        room=f"Room {n}"))
    register(meeting, dict(first_name="Ana", last_name="Ruiz", email="ana@example.org", organisation="Port",
                           country="ES", visits=[]))
    db.session.commit()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    database = folder / "portmeet.sqlite"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTMEET_ENV": "development", "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": KEY,
           "MAIL_SERVER": "", "PORTMEET_BASE_URL": base}
    for prepared in (fresh_python.flask("db", "upgrade", env=env), fresh_python.run(SETUP, env)):
        assert prepared.returncode == 0, prepared.stderr
    # Many requests from this one test client: the limits stay on, but wide.
    env.update(PORTMEET_ENV="production", MAIL_SEND_AFTER_REQUEST="0", RATELIMIT_REGISTER_PER_ADDRESS="1000 per minute")
    access_log, error_log = folder / "access.log", folder / "error.log"
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--threads", "4",
                               "--bind", f"127.0.0.1:{port}", "--timeout", "300", "--access-logfile", str(access_log),
                               "--error-logfile", str(error_log), "wsgi:app"], cwd=ROOT, env=env)
    for _ in range(2400):
        try:
            requests.get(f"{base}/", timeout=60)
            break
        except requests.RequestException:
            if server.poll() is not None:
                pytest.fail(error_log.read_text())
            time.sleep(0.05)
    yield type("Server", (), {"url": base, "database": database, "access_log": access_log, "port": port})
    server.terminate()
    server.wait(timeout=30)


def _outbox(server) -> list[str]:
    with sqlite3.connect(server.database) as connection:
        return [row[0] for row in connection.execute("SELECT body FROM outbox_messages ORDER BY id")]


def _first_token(server) -> str:
    return re.search(r"/registrations/([\w-]{20,})", _outbox(server)[0]).group(1)


def _resend(server, host: str | None = None):
    browser = requests.Session()
    page = browser.get(f"{server.url}/meetings/big/resend-link")
    token = CSRF.search(page.text).group(1)
    # The cookie is Secure (production): sent by hand here, as a browser would over the site's HTTPS.
    headers = {"Cookie": f"session={browser.cookies['session']}"}
    if host:
        headers["Host"] = host
    return browser.post(f"{server.url}/meetings/big/resend-link", data={"email": "ana@example.org", "csrf_token": token},
                        headers=headers, allow_redirects=False)


def _register(server, n: int):
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{server.url}/meetings/big/register").text).group(1)
    data = {"first_name": "Delegate", "last_name": f"N{n}", "email": f"d{n}@example.org", "organisation": "Port",
            "country": "IT", "category": "delegate", "csrf_token": token}
    return browser.post(f"{server.url}/meetings/big/register", data=data, allow_redirects=False,
                        headers={"Cookie": f"session={browser.cookies['session']}"})


def test_a_forged_host_is_refused_and_links_come_from_the_base_url(production_server):
    server = production_server
    before = len(_outbox(server))
    assert requests.get(f"{server.url}/", headers={"Host": "attacker.example"}).status_code == 400
    assert _resend(server, host="attacker.example").status_code == 400
    assert len(_outbox(server)) == before  # nothing queued
    assert _resend(server).status_code == 303
    bodies = _outbox(server)
    assert len(bodies) == before + 1
    assert all("attacker" not in body for body in bodies)
    assert f"{server.url}/registrations/" in bodies[-1]


def test_the_old_link_keeps_working_after_a_resend_and_the_access_log_hides_it(production_server):
    server = production_server
    old = _first_token(server)
    _resend(server)
    new = re.search(r"/registrations/([\w-]{20,})", _outbox(server)[-1]).group(1)
    assert new != old
    assert requests.get(f"{server.url}/registrations/{old}").status_code == 200
    assert requests.get(f"{server.url}/registrations/{new}").status_code == 200
    time.sleep(0)  # gunicorn writes the access line before the next request is answered
    log = server.access_log.read_text()
    assert "/registrations/[token]" in log and old not in log and new not in log


def test_rendering_the_longest_programme_does_not_make_other_pages_fail(production_server):
    server = production_server
    result = {}

    def fetch_programme():
        response = requests.get(f"{server.url}/meetings/big/programme.pdf", timeout=600)
        result["status"], result["pdf"] = response.status_code, response.content[:4]

    renderer = threading.Thread(target=fetch_programme)
    renderer.start()
    statuses = []
    while renderer.is_alive() and len(statuses) < 40:
        statuses.append(requests.get(f"{server.url}/meetings/big/", timeout=120).status_code)
        statuses.append(_register(server, len(statuses)).status_code)  # a write: takes SQLite's lock
    renderer.join()
    assert result == {"status": 200, "pdf": b"%PDF"}
    assert statuses and set(statuses) <= {200, 303}, statuses
    # A second request is served from the shared cache (another worker may answer it).
    assert requests.get(f"{server.url}/meetings/big/programme.pdf", timeout=600).content[:4] == b"%PDF"
