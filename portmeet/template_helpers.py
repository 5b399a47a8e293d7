"""Jinja filters and globals shared by every template; dates and numbers in the page's language."""
import re
from datetime import date, datetime, time

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, has_request_context, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from portmeet.audit.kinds import kind_label as audit_kind_label
from portmeet.countries import country_name
from portmeet.labels import label
from portmeet.language_choice import LanguageForm
from portmeet.meetings.content import localized
from portmeet.timeutil import to_zone


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


def paragraphs(text: str | None, class_: str = "") -> Markup:
    """User text as escaped paragraphs: a blank line starts a new paragraph, a single line break stays a line
    break (descriptions, partners), on pages and in PDFs alike."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return Markup("")
    attributes = Markup(' class="{}"').format(class_) if class_ else Markup("")
    return Markup("").join(
        Markup('<p dir="auto"{}>{}</p>').format(attributes, lines(block))
        for block in re.split(r"\n[ \t]*\n\s*", text)
    )


def lines(text: str | None) -> Markup:
    """User text with its line breaks kept as <br>, every line escaped."""
    return Markup("<br>").join(escape(line.strip()) for line in (text or "").strip().splitlines())


def venue_line(meeting) -> str:
    """Venue, city, country, without repeating a part the venue already names ("Valencia, Valencia")."""
    parts: list[str] = []
    for part in (meeting.venue, meeting.city, localized_country_name(meeting.country)):
        part = (part or "").strip()
        if part and not any(part.casefold() in earlier.casefold() for earlier in parts):
            parts.append(part)
    return ", ".join(parts)


def localized_country_name(code: str | None) -> str:
    return country_name(code, str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        country_name=localized_country_name,
        date=format_date,
        time=format_time,
        datetime=format_datetime,
        paragraphs=paragraphs,
        tr=localized,
        meeting_time=lambda moment, meeting: to_zone(moment, meeting.timezone),
        lines=lines,
    )
    app.jinja_env.globals.update(
        date_range=date_range, edition_label=edition_label, venue_line=venue_line, status_label=label, kind_label=label,
        transport_label=label, category_label=label, audit_label=audit_kind_label,
    )

    @app.context_processor
    def language_selector():
        if not has_request_context():  # e-mails rendered by a command: no page, no selector
            return {}
        form = LanguageForm(formdata=None, lang=str(get_locale() or "en"), next=request.full_path.rstrip("?"))
        return {"language_form": form}
