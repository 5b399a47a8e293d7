"""Jinja filters and globals shared by every template."""
from datetime import date, datetime, time

from flask import Flask

from portmeet.countries import country_name


def format_date(value: date | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    if fmt == "iso":
        return value.isoformat()
    if fmt == "short":
        return value.strftime("%a %d %b")
    return value.strftime("%A %d %B %Y").replace(" 0", " ")


def format_time(value: time | datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%d %b %Y, %H:%M").lstrip("0") if value else ""


def date_range(start: date, end: date) -> str:
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end.strftime('%B %Y')}"
    if start.year == end.year:
        return f"{start.day} {start.strftime('%B')} – {end.day} {end.strftime('%B %Y')}"
    return f"{format_date(start)} – {format_date(end)}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        country_name=country_name,
        date=format_date,
        time=format_time,
        datetime=format_datetime,
    )
    app.jinja_env.globals.update(date_range=date_range)
