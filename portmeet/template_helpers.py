"""Jinja filters and globals shared by every template; dates and numbers in the page's language."""
from datetime import date, datetime, time

from babel.dates import format_interval
from flask import Flask, has_request_context, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale

from portmeet.countries import country_name
from portmeet.labels import label


def format_date(value: date | None, fmt: str = "full") -> str:
    """'full' = Thursday, October 24, 2019 / jeudi 24 octobre 2019; 'long' = October 24, 2019; 'iso'."""
    if value is None:
        return ""
    if fmt == "iso":
        return value.isoformat()
    return babel_format_date(value, fmt)


def format_time(value: time | datetime | None) -> str:
    # 24-hour clock in every language: programmes of international meetings use it.
    return value.strftime("%H:%M") if value else ""


def format_datetime(value: datetime | None) -> str:
    return babel_format_datetime(value, "medium", rebase=False) if value else ""


def date_range(start: date, end: date) -> str:
    """21–22 January 2027 in the page's language."""
    if start == end:
        return format_date(start, "long")
    return format_interval(start, end, "yMMMMd", locale=get_locale())


def localized_country_name(code: str | None) -> str:
    return country_name(code, str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        country_name=localized_country_name,
        date=format_date,
        time=format_time,
        datetime=format_datetime,
    )
    app.jinja_env.globals.update(
        date_range=date_range, status_label=label, kind_label=label, transport_label=label, category_label=label
    )

    @app.context_processor
    def language_selector():
        from portmeet.accounts.forms import LanguageForm

        if not has_request_context():  # e-mails rendered by a command: no page, no selector
            return {}
        form = LanguageForm(formdata=None, lang=str(get_locale() or "en"), next=request.full_path.rstrip("?"))
        return {"language_form": form}
