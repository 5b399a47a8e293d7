"""The language selector on every page: the form and the view that remembers the choice."""
from flask import Blueprint, redirect, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from portmeet.i18n import LANGUAGES
from portmeet.urls import safe_next

bp = Blueprint("i18n", __name__)


class LanguageForm(FlaskForm):
    # Each name in its own language, marked as such for screen readers.
    lang = SelectField(_l("Language"), choices=[(code, name, {"lang": code}) for code, name in LANGUAGES.items()])
    next = HiddenField()


@bp.post("/language")
def choose_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data) or url_for("meetings.index"), 303)
