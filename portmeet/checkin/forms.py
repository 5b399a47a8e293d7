"""Forms of the check-in desk: the search box, the arrival buttons and the walk-in registration."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SearchField
from wtforms.validators import Length, Optional

from portmeet.registration.forms import RegistrationForm


class SearchForm(FlaskForm):
    """The desk's search box; a GET form, so no CSRF token and no side effect."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name, organisation or e-mail"), validators=[Optional(), Length(max=100)])


class ArrivalForm(FlaskForm):
    """One arrival button (mark, confirm or undo); the hidden fields say where to come back to."""

    confirm = HiddenField()
    q = HiddenField(validators=[Optional(), Length(max=100)])
    code = HiddenField(validators=[Optional(), Length(max=200)])

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "y"


class WalkInForm(RegistrationForm):
    """A late registration at the desk: the delegate's own form, plus checking them in at once."""

    check_in = BooleanField(_l("Check in now"), default=True)
