"""Filters of the printed documents (GET forms, no CSRF): badge layout and selection, waitlist on lists,
and the language a document is printed in."""
import re
from contextlib import AbstractContextManager, nullcontext

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from portmeet.documents.service import BADGE_LAYOUTS
from portmeet.i18n import LANGUAGES
from portmeet.labels import choices
from portmeet.registration.models import Category, RegistrationStatus

BADGE_STATUSES = {
    "confirmed": (RegistrationStatus.confirmed,),
    "waitlisted": (RegistrationStatus.waitlisted,),
    "all": (RegistrationStatus.confirmed, RegistrationStatus.waitlisted),
}


class PrintLanguageMixin:
    """`?lang=`: the organiser prints for the delegates, whatever language their own browser uses."""

    lang = SelectField(_l("Printed in"), default="",
                       choices=[("", _l("The page's language"))] + list(LANGUAGES.items()))

    def language(self) -> AbstractContextManager:
        """Renders (words, country names, dates) in the chosen language, or the page's one."""
        return force_locale(self.lang.data) if self.lang.data else nullcontext()


class BadgeFilterForm(PrintLanguageMixin, FlaskForm):
    class Meta:
        csrf = False

    layout = SelectField(_l("Layout"), default="a4-8", choices=[
        ("a4-8", _l("A4 sheet, 8 badges (90 × 60 mm) with cut marks")), ("a6", _l("A6, one badge per page"))])
    category = SelectField(_l("Category"), choices=[("", _l("Any category"))] + choices(Category), default="")
    status = SelectField(_l("Registrations"), default="confirmed", choices=[
        ("confirmed", lazy_pgettext("registration status", "Confirmed")), ("waitlisted", _l("Waitlisted")), ("all", _l("Confirmed and waitlisted"))])
    ids = StringField(_l("Only these registration numbers"),
                      description=_l("The numbers in the “No.” column of the registrations table, e.g. 12, 15."),
                      validators=[
        Optional(), Length(max=2000),
        Regexp(r"^[\d\s,]*$", message=_l("Registration numbers separated by commas, e.g. 12, 15."))])

    def selection(self) -> dict:
        return dict(
            layout=BADGE_LAYOUTS[self.layout.data],
            statuses=BADGE_STATUSES[self.status.data],
            category=Category(self.category.data) if self.category.data else None,
            ids=self._ids(),
        )

    def _ids(self) -> list[int] | None:
        if not (self.ids.data or "").strip():
            return None
        # No id has more than 9 digits; a longer number would overflow the database's integer.
        return [int(number) for number in re.findall(r"\d+", self.ids.data) if len(number) <= 9][:1000]


class AttendeeFilterForm(PrintLanguageMixin, FlaskForm):
    class Meta:
        csrf = False

    waitlist = BooleanField(_l("Include the waitlist"))
