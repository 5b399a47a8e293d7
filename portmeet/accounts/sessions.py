"""Staff sessions that end: a version checked on every request, an idle and an absolute timeout.

Flask's session is a signed cookie: on its own it stays valid as long as its signature, so a copied
cookie would outlive sign-out. Each session therefore carries the account's `session_version` (bumped by
sign-out, password change and deactivation), the time it was signed in and the time it was last used.
"""
import time

from flask import Flask, current_app, session
from flask_login import current_user, login_user, logout_user

from portmeet.accounts.models import User

_KEYS = ("portmeet_sv", "portmeet_signed_in", "portmeet_seen")
SEEN_RESOLUTION = 60  # seconds: the last-use time is rewritten at most once a minute


def start(user: User) -> None:
    """Sign the user in on this browser, under the account's current session version."""
    login_user(user)
    now = int(time.time())
    session["portmeet_sv"] = user.session_version
    session["portmeet_signed_in"] = now
    session["portmeet_seen"] = now
    session.permanent = True  # the cookie's own lifetime is the absolute timeout (PERMANENT_SESSION_LIFETIME)


def end() -> None:
    logout_user()
    for key in _KEYS:
        session.pop(key, None)


def _still_valid(user, now: int) -> bool:
    config = current_app.config
    if not user.is_authenticated or not user.is_active:
        return False
    if session.get("portmeet_sv") != user.session_version:
        return False
    idle = config["SESSION_IDLE_TIMEOUT_HOURS"] * 3600
    absolute = config["SESSION_ABSOLUTE_TIMEOUT_HOURS"] * 3600
    return now - session.get("portmeet_seen", 0) < idle and now - session.get("portmeet_signed_in", 0) < absolute


def _check_session() -> None:
    if "_user_id" not in session:
        return
    now = int(time.time())
    if not _still_valid(current_user, now):
        end()
        return
    if now - session.get("portmeet_seen", 0) >= SEEN_RESOLUTION:
        session["portmeet_seen"] = now


def init_app(app: Flask) -> None:
    from datetime import timedelta

    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"])
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(seconds=0))
    app.before_request(_check_session)
