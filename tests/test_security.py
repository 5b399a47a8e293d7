"""Production settings, security headers, request size and the reverse-proxy setup."""
import os

import pytest
from sqlalchemy import func, select

from config import DEV_SECRET_KEY, ProductionConfig, TestConfig
from portmeet import create_app
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from tests import fresh_python

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")


@pytest.mark.parametrize("path", ["/", "/login", "/static/css/site.css", "/no-such-page", "/meetings/meeting-1/"])
def test_every_response_carries_the_security_headers(client, make_meeting, path):
    make_meeting()
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS promise


def test_pages_have_no_inline_script_or_style_that_the_policy_would_block(client, make_meeting, make_session,
                                                                            make_visit, organiser):
    meeting = make_meeting()
    make_session(meeting)
    make_visit(meeting)
    client.login(organiser.email)
    for path in ["/", f"/meetings/{meeting.slug}/", "/login", "/manage/", f"/manage/meetings/{meeting.slug}/",
                 "/manage/meetings/new", f"/manage/meetings/{meeting.slug}/sessions/new"]:
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page and "<style" not in page and " style=" not in page, path
        assert " on" + "click=" not in page and "javascript:" not in page, path


def test_private_link_page_is_not_sent_as_referer_to_other_sites(client, make_meeting, make_registration):
    registration = make_registration(make_meeting())
    response = client.get(f"/registrations/{registration.token}")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_request_larger_than_the_limit_gets_413_with_the_error_page(app, client, make_user):
    client.login(make_user().email)
    response = client.post_form("/manage/meetings/new", {"title": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page and "What you sent is too large." in page and "Traceback" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0


@pytest.mark.parametrize("path", ["/meetings/%00/", "/?next=%00", "/login?next=a%00b"])
def test_nul_byte_in_address_is_refused_with_an_error_page(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_nul_byte_in_a_form_is_refused_and_nothing_saved(app, client, make_user):
    client.login(make_user().email)
    response = client.post_form("/manage/meetings/new", {"title": "Port\x00Meeting", "city": "Genoa"})
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0


# --- production configuration ----------------------------------------------------------------------

STRONG_KEY = "3f9c1e7a5b2d8064c1f7e9a3b5d2c8e0417a9b3c5d7e1f2a"


class _Production(ProductionConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    BASE_URL = "https://portmeet.example"


@pytest.mark.parametrize("key", [None, "", DEV_SECRET_KEY, "short", "a" * 16, "a" * 64, "ab" * 20,
                                 "a-long-random-production-secre"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    config = type("Production", (_Production,), {"SECRET_KEY": key})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_cookies_are_secure_httponly_and_lax(make_user):
    make_user()  # the shared test database, when on PostgreSQL
    config = type("Production", (_Production,), {"SECRET_KEY": STRONG_KEY, "SQLALCHEMY_DATABASE_URI":
                                                 TestConfig.SQLALCHEMY_DATABASE_URI})
    app = create_app(config)
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    with app.app_context():
        if TestConfig.SQLALCHEMY_DATABASE_URI == "sqlite://":
            db.create_all()
            from portmeet.accounts.service import create_user
            create_user("host@example.org", "Hanna Host", "correct-horse-42")
            db.session.commit()
    client = app.test_client()
    page = client.get("/login", base_url="https://portmeet.example").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    # Over HTTPS, Flask-WTF also checks that the Referer is this site (which Referrer-Policy same-origin allows).
    response = client.post("/login", base_url="https://portmeet.example",
                           headers={"Referer": "https://portmeet.example/login"},
                           data={"email": "host@example.org", "password": "correct-horse-42", "csrf_token": token})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("environment", ["production", None])
def test_wsgi_entry_point_refuses_production_without_secret_key(tmp_path, environment):
    """Unset PORTMEET_ENV is production: no development key to fall back on."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PORTMEET_ENV")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/p.sqlite", PORTMEET_BASE_URL="https://portmeet.example")
    if environment:
        env["PORTMEET_ENV"] = environment
    result = fresh_python.run("import wsgi", env)
    assert result.returncode != 0
    assert "refuses to start in production without a secret key" in result.stderr
    env["SECRET_KEY"] = "a" * 16  # long enough once, guessable always
    result = fresh_python.run("import wsgi", env)
    assert "refuses to start in production without a secret key" in result.stderr
    env["SECRET_KEY"] = STRONG_KEY
    result = fresh_python.run("import wsgi; print(wsgi.app.config['SESSION_COOKIE_SECURE'])", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


# --- behind a reverse proxy ------------------------------------------------------------------------

def _echo_app(**settings):
    config = type("Proxied", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})
    app = create_app(config)

    @app.get("/_echo")
    def echo():
        from flask import request, url_for
        return f"{request.remote_addr} {request.scheme} {url_for('meetings.index', _external=True)}"

    return app


def test_proxy_headers_are_ignored_unless_configured():
    client = _echo_app().test_client()
    body = client.get("/_echo", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert body == "127.0.0.1 http http://localhost/"


def test_proxy_fix_takes_client_address_and_scheme_from_the_trusted_proxy():
    client = _echo_app(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1).test_client()
    response = client.get("/_echo", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={
        "X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "meet.example.org"})
    # Only the last hop (the one proxy we trust) is believed: a client cannot spoof its address.
    assert response.get_data(as_text=True) == "203.0.113.9 https https://meet.example.org/"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _all_forms(app) -> list[type]:
    import importlib
    import pkgutil

    import portmeet
    from flask_wtf import FlaskForm

    for module in pkgutil.walk_packages(portmeet.__path__, "portmeet."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.add(subclass)
            todo.append(subclass)
    return sorted(found, key=lambda form: (form.__module__, form.__name__))


def test_every_text_field_a_person_types_into_has_a_maximum_length(app):
    """A typed field without a bound would let a megabyte of text into the database and onto every page;
    hidden fields are never stored (and the request itself is bounded by MAX_CONTENT_LENGTH)."""
    from wtforms import HiddenField, StringField
    from wtforms.validators import Length

    unbounded = []
    forms = _all_forms(app)
    assert len(forms) >= 8
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField) or issubclass(field_class, HiddenField):
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else ())
            if not any(isinstance(v, Length) and 0 < v.max <= 10_000 for v in validators):
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    assert unbounded == []


def test_wsgi_refuses_an_unknown_environment_name(tmp_path):
    env = {**os.environ, "PORTMEET_ENV": "prod", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"}
    result = fresh_python.run("import wsgi", env)
    assert result.returncode != 0 and "PORTMEET_ENV must be one of" in result.stderr


def test_production_refuses_to_start_without_a_base_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PORTMEET_BASE_URL"}
    env.update(PORTMEET_ENV="production", SECRET_KEY=STRONG_KEY, DATABASE_URL=f"sqlite:///{tmp_path}/p.sqlite")
    result = fresh_python.run("import wsgi", env)
    assert result.returncode != 0 and "PORTMEET_BASE_URL" in result.stderr


def test_a_cookie_signed_with_the_old_public_development_key_opens_nothing(tmp_path):
    """The attack of issue 10: a session cookie signed with the once-public development key."""
    from flask.sessions import SecureCookieSessionInterface

    config = type("Production", (_Production,), {"SECRET_KEY": STRONG_KEY})
    app = create_app(config)
    forger = type("Forger", (), {"secret_key": DEV_SECRET_KEY, "config": app.config})
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    cookie = serializer.dumps({"_user_id": "1", "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", cookie, domain="portmeet.example")
    with app.app_context():
        db.create_all()
    response = client.get("/manage/accounts", base_url="https://portmeet.example")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
