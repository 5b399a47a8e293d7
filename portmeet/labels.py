"""Words shown for the domain's enum values, in the page's language."""
from enum import Enum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

LABELS = {
    # meeting status
    "draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed"), "archived": _l("Archived"),
    # session kinds
    "plenary": _l("Plenary"), "workshop": _l("Workshop"), "debate": _l("Debate"), "break": _l("Break"),
    "meal": _l("Meal"), "social": _l("Social"),
    # transport
    "walk": _l("Walk"), "bus": _l("Coach"), "boat": _l("Boat"), "other": _l("Other"),
    # registration categories
    "delegate": _l("Delegate"), "speaker": _l("Speaker"), "host": lazy_pgettext("registration category, badge band", "Host"), "organiser": _l("Organiser"),
    "press": _l("Press"), "accompanying": _l("Accompanying person"),
    # registration and booking status
    "confirmed": lazy_pgettext("registration status", "Confirmed"), "waitlisted": _l("Waitlisted"), "cancelled": _l("Cancelled"),
    "booked": lazy_pgettext("booking status", "Booked"),
    # identity documents and visa letters
    "passport": _l("Passport"), "id_card": _l("National ID card"),
    # dietary needs ("other" is the transport's "Other" too)
    "vegetarian": _l("Vegetarian"), "vegan": _l("Vegan"), "halal": _l("Halal"), "kosher": _l("Kosher"),
    "gluten_free": _l("Gluten-free"), "lactose_free": _l("Lactose-free"), "nut_allergy": _l("Nut allergy"),
    "requested": _l("Requested"), "approved": _l("Approved"), "declined": _l("Declined"),
}


def label(value: Enum | str | None) -> str:
    """The translated word for an enum member or its value."""
    if value is None:
        return ""
    key = value.value if isinstance(value, Enum) else value
    return str(LABELS.get(key, key))


def choices(enum_class: type[Enum]) -> list[tuple[str, object]]:
    """(value, lazy label) pairs for a SelectField."""
    return [(member.value, LABELS.get(member.value, member.value)) for member in enum_class]
