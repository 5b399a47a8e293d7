"""Jinja filters and globals shared by every template; dates and numbers in the page's language."""
import re
from datetime import date, datetime, time

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, has_request_context, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale, gettext

from portmeet.audit.kinds import kind_label as audit_kind_label
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
    """October 18, 2031, 23:59 / 18 octobre 2031, 23:59 / 18 de octubre de 2031, 23:59: the long date and
    the 24-hour clock of the programme (Babel's own medium format abbreviates and adds seconds)."""
    if value is None:
        return ""
    locale = get_locale() or Locale.parse("en")
    pattern = locale.datetime_formats["long"].replace("{1}", locale.date_formats["long"].pattern).replace("{0}", "HH:mm")
    return babel_format_datetime(value, pattern, rebase=False)


def date_range(start: date, end: date) -> str:
    """The meeting's dates with the month in full, in the page's language: October 24–25, 2031,
    24–25 octobre 2031, 24–25 de octubre de 2031 (CLDR's own intervals abbreviate the month)."""
    if start == end:
        return format_date(start, "long")
    locale = get_locale() or Locale.parse("en")
    if (start.year, start.month) == (end.year, end.month):
        pattern = _day_range_pattern(locale.date_formats["long"].pattern, end.day)
        if pattern:
            return babel_format_date(start, pattern)
    if start.year == end.year:
        return f"{format_skeleton('MMMMd', start, locale=locale)} – {format_date(end, 'long')}"
    return f"{format_date(start, 'long')} – {format_date(end, 'long')}"


def _day_range_pattern(pattern: str, last_day: int) -> str | None:
    """The long date pattern with its day field turned into a day range ("d MMMM y" → "d'–25' MMMM y");
    None when the pattern has no single plain day field."""
    parts = pattern.split("'")  # even parts are pattern letters, odd parts quoted literals
    fields = [(i, match) for i in range(0, len(parts), 2) for match in re.finditer(r"(?<!d)d(?!d)", parts[i])]
    if len(fields) != 1:
        return None
    i, match = fields[0]
    parts[i] = f"{parts[i][:match.end()]}'–{last_day}'{parts[i][match.end():]}"
    return "'".join(parts)


def edition_label(number: int) -> str:
    """"Edition 7" as the language writes it: « 7e édition » but « 1re édition », « 7.ª edición »."""
    if number == 1:
        return gettext("First edition")
    return gettext("Edition %(number)s", number=number)


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
        date_range=date_range, edition_label=edition_label, status_label=label, kind_label=label,
        transport_label=label, category_label=label, audit_label=audit_kind_label,
    )

    @app.context_processor
    def language_selector():
        from portmeet.accounts.forms import LanguageForm

        if not has_request_context():  # e-mails rendered by a command: no page, no selector
            return {}
        form = LanguageForm(formdata=None, lang=str(get_locale() or "en"), next=request.full_path.rstrip("?"))
        return {"language_form": form}
