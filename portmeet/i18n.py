"""Languages: the user's choice, else the browser's, else the meeting's default language."""
import unicodedata
from functools import lru_cache

from flask import Flask, has_request_context, request, session
from babel.support import Translations
from flask_babel import Babel, get_locale
from markupsafe import Markup
from wtforms.i18n import messages_path
from sqlalchemy import select

from portmeet.extensions import db

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"

babel = Babel()


def meeting_language() -> str | None:
    """The default language of the meeting the current page is about, if any; on a delegate's private
    pages, the language they registered in."""
    args = request.view_args or {}
    if args.get("slug"):
        from portmeet.meetings.models import Meeting

        # The page has usually loaded its meeting already: no second query for one column.
        for loaded in list(db.session.identity_map.values()):
            if isinstance(loaded, Meeting) and "language" in loaded.__dict__ and loaded.__dict__.get("slug") == args["slug"]:
                return loaded.language
        return db.session.scalar(select(Meeting.language).where(Meeting.slug == args["slug"]))
    if args.get("token"):
        from portmeet.registration.models import Registration, RegistrationLink, hash_token

        return db.session.scalar(select(Registration.language).join(RegistrationLink).where(
            RegistrationLink.token_hash == hash_token(args["token"]), RegistrationLink.revoked_at.is_(None)))
    return None


def select_language() -> str:
    if not has_request_context():  # command line: English
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    from_browser = request.accept_languages.best_match(LANGUAGES)
    if from_browser:
        return from_browser
    return meeting_language() or DEFAULT_LANGUAGE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def collation_key(text: str) -> str:
    """Sort key close to the language's collation: accents and case are secondary."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def bdi(text) -> Markup:
    """User text isolated inside a translated sentence, so that a Hebrew or Arabic name keeps its own
    direction without reordering the sentence around it: _("Hosted by %(organisation)s", organisation=bdi(...))."""
    return Markup("<bdi>{}</bdi>").format(text) if text else Markup("")


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _wtforms_catalogue(language: str) -> Translations:
    return Translations.load(messages_path(), [language], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages ("Not a valid integer value.") in the page's language, each catalogue read once
    per process: Flask-WTF reads the file again in every request that builds a form (half a millisecond)."""

    def ugettext(self, string):
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular, plural, n):
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_language)

    @app.before_request
    def _share_wtforms_messages():
        request.wtforms_translations = _WTFORMS_MESSAGES  # where Flask-WTF looks before reading the file
    app.jinja_env.globals["bdi"] = app.jinja_env.filters["bdi"] = bdi
