"""Clock helpers: one place that says what "now" is, in UTC or in a meeting's time zone."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_now(tz_name: str) -> datetime:
    """Naive wall-clock now in the given IANA time zone."""
    return datetime.now(ZoneInfo(tz_name)).replace(tzinfo=None)


def to_zone(moment: datetime | None, tz_name: str) -> datetime | None:
    """A stored naive-UTC timestamp as naive wall-clock time in the given IANA time zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
