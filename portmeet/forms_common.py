"""Form pieces shared by every module: the country select and bounded text fields."""
import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField as _IntegerField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from portmeet.countries import country_choices


@lru_cache(maxsize=64)
def _choices_and_codes(locale: str, blank: str) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """The select's choices (the blank first) and their codes, built once per language: a registration form has
    two country fields, and each was building both again."""
    choices = [("", blank)] + country_choices(locale)
    return choices, frozenset(code for code, _name in choices)


@lru_cache(maxsize=32)  # the time zones, and the countries of each language with each blank
def _static_options(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)


class StaticSelect(Select):
    """A long select whose options never change (the 600 time zones, the 250 countries of a language): its
    options drawn once and only the chosen one marked; drawn option by option they cost a meeting form page
    30 ms and a registration form 20 ms."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        options = _static_options(tuple(field.choices))
        chosen = f'<option value="{escape(field.data)}">' if field.data is not None else None
        if chosen and chosen in options:
            options = options.replace(chosen, f'<option selected value="{escape(field.data)}">', 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


class CountryField(SelectField):
    """An ISO 3166-1 alpha-2 select, names from CLDR."""

    widget = StaticSelect()

    def __init__(self, label=None, validators=None, blank: str = _l("Choose a country…"), **kwargs):
        from flask_babel import get_locale

        # Built per form, so the names come in the language of the page.
        choices, self.codes = _choices_and_codes(str(get_locale() or "en"), str(blank))
        super().__init__(label, validators, choices=choices, **kwargs)

    def pre_validate(self, form):
        # An empty value is left to DataRequired/Optional; anything else must be a listed code.
        if self.data and self.data not in self.codes:
            raise ValidationError(_("Choose a country from the list."))


class CheckboxesField(SelectMultipleField):
    """Several of the offered choices, as tick boxes; a value not offered gets a clear message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        if not self.data:
            return  # nothing ticked: the choices need not even be read (they may be `LazyChoices`)
        offered = {value for value, _label in self.choices}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(_("Choose among the answers offered."))


class LazyChoices:
    """Choices built only when a page shows them or a sent value is checked against them, so that a form
    sent without any costs no query."""

    def __init__(self, load):
        self._load, self._items = load, None

    def _get(self) -> list:
        if self._items is None:
            self._items = list(self._load())
        return self._items

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())


class IntegerField(_IntegerField):
    """wtforms' IntegerField, refusing absurdly long numbers: NumberRange compares through float(), which
    overflows (a 500) on an integer of a few hundred digits."""

    MAX_DIGITS = 12

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


# --- control characters ------------------------------------------------------------------------------

# A line break in a one-line field (a meeting title, a name) ends up in an e-mail header, a CSV cell or a
# PDF line where nobody expects it: refused on every single-line field, and every other control character
# everywhere (a text area keeps its line breaks and tabs).
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_error(field) -> str | None:
    """The message for a text field holding characters it may not hold, else None."""
    data = field.data
    if not isinstance(data, str):
        return None
    if isinstance(field, TextAreaField):
        if MULTI_LINE_FORBIDDEN.search(data):
            return _("Control characters are not allowed in this field.")
    elif SINGLE_LINE_FORBIDDEN.search(data):
        return _("Line breaks and control characters are not allowed in this field.")
    return None


def _refuse_control_characters(self, form):
    message = control_character_error(self)
    if message:
        raise StopValidation(message)


def refuse_control_characters_in_text_fields() -> None:
    """Every StringField (and its kinds: e-mail, phone, password, text area) of every form checks its text
    before its own validators run, so a form added later is covered without remembering to."""
    StringField.pre_validate = _refuse_control_characters
