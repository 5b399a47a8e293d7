"""Settings for portmeet; every value can be overridden from the environment.

`PORTMEET_ENV` chooses the settings: `development` (what `make run` and the tests set) or `production`.
Unset means production, which refuses to start without a strong SECRET_KEY and a PORTMEET_BASE_URL.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"  # never accepted: kept so that the check can name it
ENVIRONMENTS = ("development", "production")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _development_secret_key() -> str:
    """A random key kept in instance/ (mode 0600), so that development sessions survive a restart
    without any key being public."""
    path = BASE_DIR / "instance" / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(exist_ok=True)
        key = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key)
        return key


class Config:
    """Shared settings; on its own as strict as production (a missing key refuses to start)."""

    PORTMEET_ENV = "production"
    REQUIRE_SECRET_KEY = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Every absolute link (e-mails, PDFs, QR codes, .ics) is built from this, never from the Host header.
    BASE_URL = os.environ.get("PORTMEET_BASE_URL", "").rstrip("/")
    # Host names the app answers to besides the base URL's (e.g. an internal name for health checks).
    EXTRA_TRUSTED_HOSTS = _list("PORTMEET_TRUSTED_HOSTS")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portmeet.sqlite'}"
    )
    # No ping before every checkout (a round trip per request): a connection that died is invalidated
    # with its pool when a statement fails on it (that request gets the error page, the next a fresh
    # connection), and none is kept longer than the recycle time, under any server-side idle timeout.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": False, "pool_recycle": 1800}
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 256 * 1024))
    # How long a change of places waits for others' row locks on PostgreSQL before giving up (a 503): long
    # enough for a burst of registrations queued on one meeting on a busy server, short of a worker timeout.
    LOCK_TIMEOUT_MS = int(os.environ.get("LOCK_TIMEOUT_MS", 25_000))
    # Uploaded slides and letterhead images; empty means instance/uploads.
    UPLOAD_DIR = os.environ.get("PORTMEET_UPLOAD_DIR", "")
    WTF_CSRF_TIME_LIMIT = None  # a delegate may leave the form open for hours

    # Staff sessions: signed out after this long without a request, and this long after signing in.
    SESSION_IDLE_TIMEOUT_HOURS = float(os.environ.get("SESSION_IDLE_TIMEOUT_HOURS", 8))
    SESSION_ABSOLUTE_TIMEOUT_HOURS = float(os.environ.get("SESSION_ABSOLUTE_TIMEOUT_HOURS", 24 * 7))
    PASSWORD_RESET_HOURS = 1
    # ID-document data is erased by `send-reminders` this many days after a meeting's last day.
    ID_DATA_RETENTION_DAYS = int(os.environ.get("ID_DATA_RETENTION_DAYS", 7))
    # Most sessions, and most field visits, a meeting may have (documents stay quick to render).
    MAX_SESSIONS_PER_MEETING = int(os.environ.get("MAX_SESSIONS_PER_MEETING", 300))
    MAX_VISITS_PER_MEETING = int(os.environ.get("MAX_VISITS_PER_MEETING", 300))

    # Outgoing mail. With no MAIL_SERVER, messages are written to the log (bodies only in development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portmeet <no-reply@portmeet.example>")
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", False)
    MAIL_LOG_BODIES = False

    # Long PDFs (badges, attendee lists) are laid out in parts by this many processes side by side (0: one per
    # core); badge sheets go PDF_CHUNK_PAGES pages to a part, lists are cut from PDF_PARTS_MIN_WEIGHT rows on. On two
    # cores a list of 300 rows takes 0.9 s in parts against 1.2-1.3 s in one piece, 1,000 rows 1.9 s against 3.5 s
    # (issue 16); its file is a little larger (each part embeds its own font subsets: 185 KB against 132 KB) and a
    # part after the first starts on a new page. The meetings' usual lists (15 to 80 delegates) stay one piece.
    PDF_WORKERS = int(os.environ.get("PDF_WORKERS", 0))
    PDF_CHUNK_PAGES = int(os.environ.get("PDF_CHUNK_PAGES", 32))
    PDF_PARTS_MIN_WEIGHT = int(os.environ.get("PDF_PARTS_MIN_WEIGHT", 300))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Limits in Flask-Limiter notation ("5 per minute; 20 per hour"); only POSTs count.
    RATELIMIT_LOGIN_PER_ADDRESS = os.environ.get("RATELIMIT_LOGIN_PER_ADDRESS", "30 per minute; 200 per hour")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "5 per minute; 20 per hour")
    RATELIMIT_REGISTER_PER_ADDRESS = os.environ.get("RATELIMIT_REGISTER_PER_ADDRESS", "10 per minute; 60 per hour")
    RATELIMIT_RESEND_PER_ADDRESS = os.environ.get("RATELIMIT_RESEND_PER_ADDRESS", "5 per minute; 20 per hour")
    RATELIMIT_RESEND_PER_EMAIL = os.environ.get("RATELIMIT_RESEND_PER_EMAIL", "3 per hour; 10 per day")
    RATELIMIT_RESET_PER_ADDRESS = os.environ.get("RATELIMIT_RESET_PER_ADDRESS", "5 per minute; 20 per hour")
    RATELIMIT_RESET_PER_EMAIL = os.environ.get("RATELIMIT_RESET_PER_EMAIL", "3 per hour; 10 per day")
    RATELIMIT_DOCUMENTS_PER_ADDRESS = os.environ.get("RATELIMIT_DOCUMENTS_PER_ADDRESS", "30 per minute")

    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0 = header ignored).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", 0))
    PROXY_FIX_X_HOST = int(os.environ.get("PROXY_FIX_X_HOST", 0))
    PROXY_FIX_X_PORT = int(os.environ.get("PROXY_FIX_X_PORT", 0))
    PROXY_FIX_X_PREFIX = int(os.environ.get("PROXY_FIX_X_PREFIX", 0))


class DevelopmentConfig(Config):
    """`PORTMEET_ENV=development`: an explicit choice (make run, the tests); links follow the served address
    unless PORTMEET_BASE_URL is set."""

    PORTMEET_ENV = "development"
    REQUIRE_SECRET_KEY = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or None  # filled from instance/ by create_app when unset
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", True)
    MAIL_LOG_BODIES = True


class TestConfig(DevelopmentConfig):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    BASE_URL = "http://localhost"  # the test client's address
    # A fresh in-memory SQLite per app unless the suite is pointed at PostgreSQL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = ""
    MAIL_SEND_AFTER_REQUEST = False
    RATELIMIT_ENABLED = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


def config_from_environment() -> type[Config]:
    """The settings PORTMEET_ENV names; unset is production. Anything else is refused, so that a typo
    never falls back to development."""
    name = os.environ.get("PORTMEET_ENV", "production").strip().lower() or "production"
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"PORTMEET_ENV must be one of {', '.join(ENVIRONMENTS)} (got {name!r}).")
    return DevelopmentConfig if name == "development" else ProductionConfig
