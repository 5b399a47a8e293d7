"""Form pieces shared by every module: the country select and bounded text fields."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField as _IntegerField
from wtforms import SelectField, ValidationError

from portmeet.countries import country_choices


class CountryField(SelectField):
    """An ISO 3166-1 alpha-2 select, names from CLDR."""

    def __init__(self, label=None, validators=None, blank: str = _l("Choose a country…"), **kwargs):
        from flask_babel import get_locale

        # Built per form, so the names come in the language of the page.
        choices = [("", blank)] + country_choices(str(get_locale() or "en"))
        super().__init__(label, validators, choices=choices, **kwargs)

    def pre_validate(self, form):
        # An empty value is left to DataRequired/Optional; anything else must be a listed code.
        if self.data and self.data not in dict(self.choices):
            raise ValidationError(_("Choose a country from the list."))


class IntegerField(_IntegerField):
    """wtforms' IntegerField, refusing absurdly long numbers: NumberRange compares through float(), which
    overflows (a 500) on an integer of a few hundred digits."""

    MAX_DIGITS = 12

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)
