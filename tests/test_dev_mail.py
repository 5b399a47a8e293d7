"""A newcomer running the development server sees the e-mails it would send (no MAIL_SERVER set)."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from portmeet.demo import DEMO_SLUG
from tests import fresh_python

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dev_server_prints_the_mail_it_would_send(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAIL_", "TEST_DATABASE"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite'}", PORTMEET_ENV="development",
               SECRET_KEY="dev-test-key-" + "x" * 40, RATELIMIT_ENABLED="0")
    for command in (["db", "upgrade"], ["demo"]):
        result = fresh_python.flask(*command, env=env)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        server = subprocess.Popen(FLASK + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form_url = f"http://127.0.0.1:{port}/meetings/{DEMO_SLUG}/register"
        page = None
        for _attempt in range(1200):  # until the server listens (a loaded machine may take a while)
            try:
                page = opener.open(form_url, timeout=30).read().decode()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        assert page is not None, log.read_text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({
            "csrf_token": token, "first_name": "Nina", "last_name": "Newcomer", "email": "nina@newcomer.example",
            "organisation": "Port of Sines", "country": "PT", "category": "delegate",
        }).encode()
        opener.open(form_url, data=data, timeout=30).read()
        for _attempt in range(1200):  # the mail goes out after the response
            if "nina@newcomer.example" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    output = log.read_text()
    assert "E-mail (no MAIL_SERVER set, not sent) to nina@newcomer.example" in output
    assert "Subject: Citizen Port Meeting Valencia" in output
    assert re.search(rf"http://127\.0\.0\.1:{port}/registrations/\S+", output)  # the private link, clickable
