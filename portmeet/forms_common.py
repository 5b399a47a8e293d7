"""Form pieces shared by every module: the country select and bounded text fields."""
from wtforms import SelectField, ValidationError

from portmeet.countries import country_choices


class CountryField(SelectField):
    """An ISO 3166-1 alpha-2 select, names from CLDR."""

    def __init__(self, label=None, validators=None, blank: str = "Choose a country…", **kwargs):
        from flask_babel import get_locale

        # Built per form, so the names come in the language of the page.
        choices = [("", blank)] + country_choices(str(get_locale() or "en"))
        super().__init__(label, validators, choices=choices, **kwargs)

    def pre_validate(self, form):
        # An empty value is left to DataRequired/Optional; anything else must be a listed code.
        if self.data and self.data not in dict(self.choices):
            raise ValidationError("Choose a country from the list.")
