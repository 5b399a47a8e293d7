"""ISO 3166-1 countries: codes from pycountry, names from Babel's CLDR data (localisable)."""
from functools import lru_cache

import pycountry
from babel import Locale


@lru_cache(maxsize=16)
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries}


def country_name(code: str | None, locale: str = "en") -> str:
    if not code:
        return ""
    return _names(locale).get(code.upper(), code)


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in _names("en")


@lru_cache(maxsize=16)
def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the language's order (Åland with the A's), for a select."""
    from portmeet.i18n import collation_key

    return sorted(_names(locale).items(), key=lambda item: collation_key(item[1]))
