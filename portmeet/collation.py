"""One order and one match for people's names everywhere: the registrations table, visit rosters and
manifests, printed lists and badges, and the check-in desk ("Émile, Ñúñez, Ödegaard" among the E, N, O)."""
from __future__ import annotations

from portmeet.i18n import collation_key

# Letters that Unicode does not decompose into a base letter plus an accent, typed on an ordinary
# keyboard as their plain look-alikes ("Oyvind" finds "Øyvind"; Ødegård sorts among the O).
_UNDECOMPOSED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i",
                               "ß": "ss"})


def fold(text: str | None) -> str:
    """Text reduced for sorting and matching: no accents, no case."""
    return collation_key(text or "").translate(_UNDECOMPOSED)


def name_key(registration) -> tuple:
    """Sort key of a person: last name, then first name, accents and case aside; the id keeps it stable."""
    return fold(registration.last_name), fold(registration.first_name), registration.id


def matches(words: list[str], *fields: str | None) -> bool:
    """Whether every (folded) word of a search appears in one of the fields."""
    haystack = fold(" ".join(field or "" for field in fields))
    return all(word in haystack for word in words)
