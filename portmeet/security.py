"""Production hardening: secret-key check, reverse-proxy headers, security headers and rate limits."""
import time

from flask import Flask, abort, current_app, request
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from config import DEV_SECRET_KEY
from portmeet.extensions import limiter

# No inline script or style and no third-party origin: a script injected through user text cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # The private manage link is in the URL: it must never travel to another site in a Referer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_DISTINCT = 10  # "aaaa…" or "abababab…" is long but guessable

# Endpoints throttled per client address: (endpoint, config key of the limit). Only POSTs count.
THROTTLED_BY_ADDRESS = (
    ("accounts.login", "RATELIMIT_LOGIN_PER_ADDRESS"),
    ("registration.register", "RATELIMIT_REGISTER_PER_ADDRESS"),
    ("registration.resend_link", "RATELIMIT_RESEND_PER_ADDRESS"),
    ("accounts.reset_password_request", "RATELIMIT_RESET_PER_ADDRESS"),
)
# Endpoints also throttled per e-mail address typed in the form, whatever client sends it.
THROTTLED_BY_EMAIL = (
    ("registration.resend_link", "RATELIMIT_RESEND_PER_EMAIL"),
    ("accounts.reset_password_request", "RATELIMIT_RESET_PER_EMAIL"),
)


def init_app(app: Flask) -> None:
    """Called by create_app once every blueprint is registered."""
    check_secret_key(app)
    _install_proxy_fix(app)
    app.after_request(_add_security_headers)
    app.before_request(_refuse_nul_characters)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    limiter.init_app(app)
    if app.config.get("RATELIMIT_ENABLED"):
        _apply_rate_limits(app)


def is_strong_secret_key(key: str | None) -> bool:
    """Long, varied and not the old public development key."""
    return bool(key) and key != DEV_SECRET_KEY and len(key) >= MIN_SECRET_KEY_LENGTH \
        and len(set(key)) >= MIN_SECRET_KEY_DISTINCT


def check_secret_key(app: Flask) -> None:
    """Unless development was chosen explicitly, refuse to start without a strong secret key: a known or
    guessable key lets anyone sign a session cookie and open every manage page."""
    if not app.config.get("REQUIRE_SECRET_KEY"):
        if not app.config.get("SECRET_KEY"):
            from config import _development_secret_key

            app.config["SECRET_KEY"] = _development_secret_key()
        return
    if not is_strong_secret_key(app.config.get("SECRET_KEY")):
        raise RuntimeError(
            "portmeet refuses to start in production without a secret key: set the SECRET_KEY "
            f"environment variable to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
            "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "PORTMEET_ENV=development on a development machine."
        )


def _install_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as configured (0 = not behind a proxy)."""
    hops = {name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) or 0)
            for name in ("for", "proto", "host", "port", "prefix")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"],
                                x_port=hops["port"], x_prefix=hops["prefix"])


# Pages and downloads with personal data: the delegate's own pages (private link), the manage side (ID
# data, exports), accounts. Never kept by a browser or a shared cache (ASVS 8.2.1).
NO_STORE_PREFIXES = ("/registrations/", "/manage/", "/account/", "/reset-password")


def _add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(NO_STORE_PREFIXES) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _refuse_nul_characters():
    """A NUL byte is never typed by a person, and PostgreSQL cannot store one in text: refuse it early
    (path, query and form), so that no form or lookup turns it into a database error."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST":
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400)


# --- rate limits -----------------------------------------------------------

def _limit_from_config(key: str):
    def provider() -> str:
        return current_app.config[key]

    provider.__name__ = f"limit_{key.lower()}"
    return provider


_LIMIT_PROVIDERS = {key: _limit_from_config(key) for _, key in (*THROTTLED_BY_ADDRESS, *THROTTLED_BY_EMAIL)}
_LIMIT_PROVIDERS["RATELIMIT_LOGIN_PER_ACCOUNT"] = _limit_from_config("RATELIMIT_LOGIN_PER_ACCOUNT")


def _posted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _posted_account() -> str:
    """The pair (client address, account) a sign-in attempt comes from and is aimed at: someone guessing
    a password from one place is slowed down without locking the real owner out from another."""
    return f"account:{get_remote_address()}:{_posted_email()}"


def _by_email() -> str:
    return f"email:{request.endpoint}:{_posted_email()}"


def _failed(response) -> bool:
    # A successful sign-in redirects; only failures count towards the per-account limit.
    return response.status_code != 303


# Documents rendered on request (expensive): throttled per client address, GETs included.
THROTTLED_DOCUMENTS = ("documents.programme_pdf", "documents.itinerary_pdf")


def _apply_rate_limits(app: Flask) -> None:
    """Wrap the throttled views where they exist (registration views may not be there yet)."""
    documents_limit = _limit_from_config("RATELIMIT_DOCUMENTS_PER_ADDRESS")
    for endpoint in THROTTLED_DOCUMENTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(documents_limit)(app.view_functions[endpoint])
    for endpoint, key in THROTTLED_BY_ADDRESS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(_LIMIT_PROVIDERS[key], methods=["POST"])(
                app.view_functions[endpoint]
            )
    for endpoint, key in THROTTLED_BY_EMAIL:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(_LIMIT_PROVIDERS[key], key_func=_by_email, methods=["POST"])(
                app.view_functions[endpoint]
            )
    if "accounts.login" in app.view_functions:
        app.view_functions["accounts.login"] = limiter.limit(
            _LIMIT_PROVIDERS["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=_posted_account, methods=["POST"],
            deduct_when=_failed,
        )(app.view_functions["accounts.login"])


def _too_many_requests(error: RateLimitExceeded):
    from portmeet.errors import render_error

    current = limiter.current_limit
    wait = max(int((current.reset_at if current else time.time() + 60) - time.time()), 1)
    if wait < 120:
        message = ngettext("Too many attempts. Please wait and try again in %(num)d second.",
                           "Too many attempts. Please wait and try again in %(num)d seconds.", wait)
    else:
        message = ngettext("Too many attempts. Please wait and try again in %(num)d minute.",
                           "Too many attempts. Please wait and try again in %(num)d minutes.", round(wait / 60))
    body, status = render_error(429, message)
    return body, status, {"Retry-After": str(wait)}
