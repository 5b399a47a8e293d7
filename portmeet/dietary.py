"""Dietary needs as choices the caterer can count (vegetarian, halal, nut allergy…), plus a free text
for anything else. Shared by delegates and the persons accompanying them (`DietaryNeeds`).

A need typed as text that names one of the choices ("Vegetarian", "végétarien", "sin gluten") is
stored as that choice, so that counts are right whatever form or language it came from.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import force_locale
from sqlalchemy import String, or_
from sqlalchemy.orm import Mapped, mapped_column

from portmeet.labels import label


class Diet(str, enum.Enum):
    vegetarian = "vegetarian"
    vegan = "vegan"
    halal = "halal"
    kosher = "kosher"
    gluten_free = "gluten_free"
    lactose_free = "lactose_free"
    nut_allergy = "nut_allergy"
    other = "other"  # the text says what


class DietaryNeeds:
    """Columns and words of a person's dietary needs (a mixin of Registration and Companion)."""

    # The choices, as space-separated Diet values in the order of Diet ("" for none).
    diets: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Anything the choices do not say (an allergy, "no pork"…); implies `other` for the counts.
    dietary: Mapped[str] = mapped_column(String(500), default="")

    @property
    def diet_list(self) -> list[Diet]:
        return parse_codes(self.diets)

    @property
    def has_dietary_needs(self) -> bool:
        return bool(self.diets or (self.dietary or "").strip())

    @property
    def dietary_summary(self) -> str:
        """The needs in the page's language, e.g. "Vegetarian, Nut allergy; no raw fish"."""
        return summary(self.diet_list, self.dietary)

    def set_dietary(self, codes, text: str | None) -> None:
        """Store the picked choices and the text; choices named in the text become choices."""
        found, rest = split_free_text(text or "")
        self.diets = format_codes([*(codes or ()), *found])
        self.dietary = rest


def dietary_needs_given(model):
    """SQL condition on a model with DietaryNeeds (e.g. Registration): the person has some dietary need."""
    return or_(model.diets != "", model.dietary != "")


def having_diet(model, code: str):
    """SQL condition: the person ticked this choice (`other` also matches a need given as text only)."""
    condition = (" " + model.diets + " ").contains(f" {Diet(code).value} ")
    return or_(condition, model.dietary != "") if code == Diet.other.value else condition


def parse_codes(value: str | None) -> list[Diet]:
    given = set((value or "").split())
    return [diet for diet in Diet if diet.value in given]


def format_codes(codes) -> str:
    given = {Diet(code).value for code in codes if code in Diet._value2member_map_ or isinstance(code, Diet)}
    return " ".join(diet.value for diet in Diet if diet.value in given)


def summary(diets: list[Diet], text: str | None) -> str:
    words = ", ".join(label(diet) for diet in diets if not (diet is Diet.other and text))
    text = (text or "").strip()
    return "; ".join(part for part in (words, text) if part)


LANGUAGES = ("en", "fr", "es")


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace(".", " ").split())


@lru_cache(maxsize=1)
def _names() -> dict[str, Diet]:
    """Every way of writing a choice in every language: its label, its code ("gluten_free")."""
    names = {}
    for language in LANGUAGES:
        with force_locale(language):
            for diet in Diet:
                if diet is not Diet.other:
                    names[_fold(label(diet))] = diet
    for diet in Diet:
        if diet is not Diet.other:
            names[_fold(diet.value.replace("_", " "))] = diet
    return names


def split_free_text(text: str) -> tuple[list[Diet], str]:
    """Choices named in a free text (whole text, or items separated by commas or semicolons), and
    what is left of the text. "Vegetarian; no raw fish" → ([vegetarian], "no raw fish")."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        return [], ""
    names = _names()
    if _fold(text) in names:
        return [names[_fold(text)]], ""
    items = [item.strip() for item in text.replace(";", ",").split(",")]
    if len(items) > 1 and all(_fold(item) in names for item in items if item):
        return [names[_fold(item)] for item in items if item], ""
    return [], text


@dataclass
class NeedCount:
    text: str
    count: int


def need_counts(people) -> list[NeedCount]:
    """How many of these people (anything with `diet_list` and `dietary`) have each need: each choice,
    then each distinct text (spellings that differ only by case or a final stop are one line), most
    frequent first. A person with two needs counts in both."""
    return weighted_need_counts((person.diet_list, person.dietary, 1) for person in people)


def weighted_need_counts(groups) -> list[NeedCount]:
    """As `need_counts`, from (choices, text, how many people) groups (e.g. a GROUP BY's rows)."""
    by_choice: Counter[Diet] = Counter()
    texts: dict[str, Counter[str]] = {}
    for diets, text, number in groups:
        for diet in diets:
            if not (diet is Diet.other and (text or "").strip()):
                by_choice[diet] += number
        add_text(texts, text, number)
    counts = [NeedCount(label(diet), number) for diet, number in by_choice.items()]
    return sort_counts(counts + text_counts(texts))


def sort_counts(counts: list[NeedCount]) -> list[NeedCount]:
    return sorted(counts, key=lambda need: (-need.count, need.text.casefold()))


def add_text(texts: dict[str, Counter[str]], text: str | None, number: int = 1) -> None:
    text = " ".join((text or "").split())
    if text:
        texts.setdefault(text.casefold().rstrip("."), Counter())[text] += number


def text_counts(texts: dict[str, Counter[str]]) -> list[NeedCount]:
    # Shown as most people typed it; on a tie, not shouting, then alphabetically.
    return [NeedCount(text=min(spellings, key=lambda t: (-spellings[t], t.isupper(), t)), count=sum(spellings.values()))
            for spellings in texts.values()]
