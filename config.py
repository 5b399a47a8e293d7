"""Settings for portmeet; every value can be overridden from the environment."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portmeet.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 256 * 1024))
    # How long a change of places waits for another's row locks on PostgreSQL before giving up (a 503).
    LOCK_TIMEOUT_MS = int(os.environ.get("LOCK_TIMEOUT_MS", 10_000))
    WTF_CSRF_TIME_LIMIT = None  # a delegate may leave the form open for hours

    # Outgoing mail. With no MAIL_SERVER, messages are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portmeet <no-reply@portmeet.example>")
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", True)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Limits in Flask-Limiter notation ("5 per minute; 20 per hour"); only POSTs count.
    RATELIMIT_LOGIN_PER_ADDRESS = os.environ.get("RATELIMIT_LOGIN_PER_ADDRESS", "30 per minute; 200 per hour")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "5 per minute; 20 per hour")
    RATELIMIT_REGISTER_PER_ADDRESS = os.environ.get("RATELIMIT_REGISTER_PER_ADDRESS", "10 per minute; 60 per hour")
    RATELIMIT_RESEND_PER_ADDRESS = os.environ.get("RATELIMIT_RESEND_PER_ADDRESS", "5 per minute; 20 per hour")

    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0 = header ignored).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", 0))
    PROXY_FIX_X_HOST = int(os.environ.get("PROXY_FIX_X_HOST", 0))
    PROXY_FIX_X_PORT = int(os.environ.get("PROXY_FIX_X_PORT", 0))
    PROXY_FIX_X_PREFIX = int(os.environ.get("PROXY_FIX_X_PREFIX", 0))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    # A fresh in-memory SQLite per app unless the suite is pointed at PostgreSQL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = ""
    MAIL_SEND_AFTER_REQUEST = False
    RATELIMIT_ENABLED = False


class ProductionConfig(Config):
    REQUIRE_SECRET_KEY = True  # create_app refuses a missing, short or development SECRET_KEY
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", False)
