"""Clock helpers: one place that says what "now" is, in UTC or in a meeting's time zone."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_now(tz_name: str) -> datetime:
    """Naive wall-clock now in the given IANA time zone."""
    return datetime.now(ZoneInfo(tz_name)).replace(tzinfo=None)
