"""Sign-in, registration and re-send forms are throttled; the 429 page says when to try again."""
import re

import pytest

from config import TestConfig


@pytest.fixture(autouse=True)
def rate_limits_on(monkeypatch):
    """Rate limits are off in tests; these tests switch them on, with small limits (before `app` is built)."""
    monkeypatch.setattr(TestConfig, "RATELIMIT_ENABLED", True)
    monkeypatch.setattr(TestConfig, "RATELIMIT_LOGIN_PER_ADDRESS", "6 per minute")
    monkeypatch.setattr(TestConfig, "RATELIMIT_LOGIN_PER_ACCOUNT", "3 per minute")
    monkeypatch.setattr(TestConfig, "RATELIMIT_REGISTER_PER_ADDRESS", "3 per minute")
    monkeypatch.setattr(TestConfig, "RATELIMIT_RESEND_PER_ADDRESS", "2 per minute")


def sign_in(client, email, password, address):
    return client.post_form("/login", {"email": email, "password": password},
                            environ_base={"REMOTE_ADDR": address})


def assert_try_again_page(response):
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    page = response.get_data(as_text=True)
    assert "Too many requests" in page
    assert re.search(r"try again in \d+ seconds", page)
    assert "Traceback" not in page


def test_wrong_passwords_for_one_account_from_one_address_are_throttled_without_locking_the_owner_out(
        app, client, make_user):
    host = make_user()
    for _ in range(3):
        assert sign_in(client, host.email, "wrong-password", "198.51.100.1").status_code == 400
    # The fourth guess at that account from that address is refused, even with the right password…
    assert_try_again_page(sign_in(client, host.email.upper(), "correct-horse-42", "198.51.100.1"))
    # …but the owner, from their own address, still signs in.
    assert sign_in(client, host.email, "correct-horse-42", "198.51.100.99").status_code == 303


def test_the_owner_is_told_by_e_mail_when_failed_sign_ins_pile_up(app, client, make_user):
    from sqlalchemy import select

    from portmeet.extensions import db
    from portmeet.registration.models import OutboxMessage

    host = make_user()
    for n in range(6):  # from many addresses: each pair stays under its limit
        sign_in(client, host.email, "wrong-password", f"198.51.100.{n}")
    with app.app_context():
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == host.email)).all()
    assert len(notices) == 1 and "failed sign-ins" in notices[0].subject
    assert "5 failed attempts" in notices[0].body


def test_reset_requests_are_throttled_per_e_mail_address_from_any_client(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_PER_EMAIL", "2 per minute")
    make_user()
    for n in range(2):
        response = client.post_form("/reset-password", {"email": "host@example.org"},
                                    environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        assert response.status_code == 303
    assert_try_again_page(client.post_form("/reset-password", {"email": "Host@example.org"},
                                           environ_base={"REMOTE_ADDR": "192.0.2.50"}))


def test_successful_sign_ins_do_not_use_up_the_account_allowance(client, make_user):
    host = make_user()
    for n in range(5):
        assert sign_in(client, host.email, "correct-horse-42", f"203.0.113.{n}").status_code == 303


def test_one_address_trying_many_accounts_is_throttled(client, make_user):
    for n in range(6):
        assert sign_in(client, f"guess{n}@example.org", "x", "192.0.2.7").status_code == 400
    assert_try_again_page(sign_in(client, "guess99@example.org", "x", "192.0.2.7"))
    # Another address can still sign in, and reading the sign-in page is never throttled.
    host = make_user()
    assert sign_in(client, host.email, "correct-horse-42", "192.0.2.8").status_code == 303
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


def test_registration_form_is_throttled_per_address(app, client, make_meeting):
    if "registration.register" not in app.view_functions:
        pytest.skip("registration form not there yet")
    meeting = make_meeting()
    url = f"/meetings/{meeting.slug}/register"
    for _ in range(3):
        assert client.post_form(url, {"first_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code != 429
    assert client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code == 200  # reading is free
    assert_try_again_page(client.post_form(url, {"first_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.20"}))
    assert client.post_form(url, {"first_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.21"}).status_code != 429


def test_resend_link_form_is_throttled_per_address(app, client, make_meeting):
    if "registration.resend_link" not in app.view_functions:
        pytest.skip("re-send form not there yet")
    meeting = make_meeting()
    with app.test_request_context():
        from flask import url_for
        rules = [r for r in app.url_map.iter_rules() if r.endpoint == "registration.resend_link"]
        url = url_for("registration.resend_link", **({"slug": meeting.slug} if "slug" in rules[0].arguments else {}))
    for _ in range(2):
        response = client.post_form(url, {"email": "someone@example.org"}, environ_base={"REMOTE_ADDR": "192.0.2.30"})
        assert response.status_code != 429
    assert_try_again_page(client.post_form(url, {"email": "someone@example.org"},
                                           environ_base={"REMOTE_ADDR": "192.0.2.30"}))


@pytest.fixture
def redis_server(tmp_path):
    """A real Redis on a loopback port, with nothing written to disk."""
    import shutil
    import socket
    import subprocess
    import time

    import redis

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", client
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def database_shared_by_workers(monkeypatch, tmp_path):
    """Workers are separate apps: on SQLite they need one file rather than one in-memory database each."""
    from tests.conftest import ON_POSTGRES

    if not ON_POSTGRES:
        monkeypatch.setattr(TestConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'workers.sqlite'}")


def test_with_redis_storage_the_limit_holds_across_workers(monkeypatch, redis_server, database_shared_by_workers,
                                                          make_meeting):
    """RATELIMIT_STORAGE_URI=redis://…: every worker (here, a second app) counts against the same limit."""
    from portmeet import create_app
    from tests.conftest import FormClient

    url, redis_client = redis_server
    monkeypatch.setattr(TestConfig, "RATELIMIT_STORAGE_URI", url)
    first_worker = create_app(TestConfig)
    first_worker.test_client_class = FormClient
    meeting = make_meeting()  # in the shared test database
    register = f"/meetings/{meeting.slug}/register"
    client = first_worker.test_client()
    for _ in range(3):
        assert client.post_form(register, {"first_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.40"}).status_code == 400
    assert redis_client.keys("LIMITS*"), "the counts are not in Redis"

    second_worker = create_app(TestConfig)
    second_worker.test_client_class = FormClient
    assert_try_again_page(second_worker.test_client().post_form(
        register, {"first_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.40"}))
