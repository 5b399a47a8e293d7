"""Staff sessions end: sign-out, a password change or deactivation ends every copy of a session; idle
and absolute timeouts; password change and reset by a single-use link."""
import re
import time

import pytest
from sqlalchemy import select

from portmeet.accounts.models import User
from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage
from tests.conftest import PASSWORD

MANAGE = "/manage/"


def _copy_cookie(source, target):
    """What a thief does with a stolen cookie: the same session in another client."""
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def test_a_copied_cookie_stops_working_after_sign_out(app, make_user):
    make_user()
    browser, thief = app.test_client(), app.test_client()
    browser.login("host@example.org")
    _copy_cookie(browser, thief)
    assert thief.get(MANAGE).status_code == 200
    browser.post_form("/logout")
    assert thief.get(MANAGE).status_code == 302  # to the sign-in page
    assert browser.get(MANAGE).status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, make_user):
    make_user()
    browser, other_device = app.test_client(), app.test_client()
    browser.login("host@example.org")
    other_device.login("host@example.org")
    response = browser.post_form("/account/password", {"current_password": PASSWORD,
                                                       "new_password": "a-new-passphrase-7"})
    assert response.status_code == 303
    assert browser.get(MANAGE).status_code == 200
    assert other_device.get(MANAGE).status_code == 302
    browser.post_form("/logout")
    assert browser.post_form("/login", {"email": "host@example.org", "password": PASSWORD}).status_code == 400
    browser.login("host@example.org", "a-new-passphrase-7")


def test_a_wrong_current_password_is_refused_on_the_form(client, make_user):
    make_user()
    client.login("host@example.org")
    response = client.post_form("/account/password", {"current_password": "nope-nope", "new_password": "x" * 12})
    assert response.status_code == 400 and "Your current password is not right." in response.get_data(as_text=True)


def test_deactivation_ends_the_sessions_and_refuses_sign_in(app, client, make_user, organiser):
    host = make_user()
    hosts_browser = app.test_client()
    hosts_browser.login(host.email)
    client.login(organiser.email)
    assert client.post_form(f"/manage/accounts/{host.id}/deactivate").status_code == 303
    assert hosts_browser.get(MANAGE).status_code == 302
    assert hosts_browser.post_form("/login", {"email": host.email, "password": PASSWORD}).status_code == 400


def test_idle_and_absolute_timeouts_end_a_staff_session(app, make_user):
    make_user()
    client = app.test_client()
    client.login("host@example.org")
    with client.session_transaction() as session:
        session["portmeet_seen"] = int(time.time()) - 8 * 3600 - 5  # eight hours without a request
    assert client.get(MANAGE).status_code == 302

    client.login("host@example.org")
    with client.session_transaction() as session:
        session["portmeet_signed_in"] = int(time.time()) - 7 * 24 * 3600 - 5  # signed in a week ago, used since
    assert client.get(MANAGE).status_code == 302


def _reset_link(app, email):
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://localhost(/reset-password/[\w-]+)", body).group(1)


def test_password_reset_by_e_mailed_link_works_once(app, client, make_user):
    make_user()
    other = app.test_client()
    other.login("host@example.org")
    page = client.post_form("/reset-password", {"email": "HOST@example.org"}, follow_redirects=True)
    assert "If an account has the address" in page.get_data(as_text=True)
    link = _reset_link(app, "host@example.org")
    assert client.get(link).status_code == 200
    assert client.post_form(link, {"new_password": "reset-passphrase-9"}).status_code == 303
    assert client.get(link).status_code == 404  # single use
    assert other.get(MANAGE).status_code == 302  # the sessions signed in before the reset end
    client.login("host@example.org", "reset-passphrase-9")


def test_password_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(app, client):
    page = client.post_form("/reset-password", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account has the address" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_an_expired_reset_link_is_refused(app, client, make_user):
    from datetime import timedelta

    from portmeet.accounts.models import PasswordReset

    make_user()
    client.post_form("/reset-password", {"email": "host@example.org"})
    link = _reset_link(app, "host@example.org")
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset))
        reset.expires_at = reset.created_at - timedelta(seconds=1)
        db.session.commit()
    assert client.post_form(link, {"new_password": "reset-passphrase-9"}).status_code == 404


def _account_made_by_the_app(app, email="host@example.org"):
    from portmeet.accounts.service import create_user

    with app.app_context():
        user = create_user(email, "Hanna Host", PASSWORD)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


@pytest.mark.password_hashing
def test_passwords_are_hashed_with_argon2id_and_old_hashes_upgraded_at_sign_in(app, client):
    from werkzeug.security import generate_password_hash

    user = _account_made_by_the_app(app)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        stored.password_hash = generate_password_hash(PASSWORD)  # an account from before
        db.session.commit()
    client.login(user.email)
    with app.app_context():
        assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")


def test_an_unknown_address_costs_the_same_password_check_as_a_known_one(app, client, monkeypatch):
    """No timing: count the argon2 verifications each sign-in attempt makes."""
    from portmeet.accounts import passwords

    _account_made_by_the_app(app)
    calls = []

    class CountingHasher:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def verify(self, *args):
            calls.append(1)
            return self.real.verify(*args)

    monkeypatch.setattr(passwords, "HASHER", CountingHasher(passwords.HASHER))
    client.post_form("/login", {"email": "host@example.org", "password": "wrong-password"})
    known = len(calls)
    client.post_form("/login", {"email": "nobody@example.org", "password": "wrong-password"})
    assert known == 1 and len(calls) - known == 1
