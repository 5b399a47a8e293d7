"""A meeting's own words in the visitor's language: titles and descriptions of the meeting, its sessions
and its field visits, written by the hosts in English, French and Spanish."""
from __future__ import annotations

from portmeet.i18n import LANGUAGES, current_language

CONTENT_LANGUAGES = tuple(LANGUAGES)  # en, fr, es
TRANSLATED_FIELDS = ("title", "description")


def localized(item, field: str, language: str | None = None) -> str:
    """The item's `field` in the visitor's language when the hosts wrote it, else the text in the meeting's
    default language (the item's own column)."""
    text = getattr(item, field) or ""
    language = language or current_language()
    meeting = getattr(item, "meeting", None) or item
    if language == getattr(meeting, "language", None):
        return text
    return ((item.translations or {}).get(language) or {}).get(field) or text


def translation_fields(field: str) -> list[str]:
    """The form field names for one translated field: title_en, title_fr, title_es."""
    return [f"{field}_{language}" for language in CONTENT_LANGUAGES]


def translations_from(data: dict, fields=TRANSLATED_FIELDS) -> dict | None:
    """{"fr": {"title": …}, …} from form data holding title_fr, description_es…; empty texts are left out."""
    result: dict[str, dict[str, str]] = {}
    for language in CONTENT_LANGUAGES:
        entry = {field: (data.get(f"{field}_{language}") or "").strip() for field in fields}
        entry = {field: text for field, text in entry.items() if text}
        if entry:
            result[language] = entry
    return result or None


def translation_form_data(item, fields=TRANSLATED_FIELDS) -> dict[str, str]:
    """The item's translations as form data (title_fr: …), to fill an edit form."""
    stored = item.translations or {}
    return {f"{field}_{language}": (stored.get(language) or {}).get(field, "")
            for language in CONTENT_LANGUAGES for field in fields}
