"""The message form: the text (and its other languages' versions) and the group it goes to."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portmeet.forms_common import CountryField
from portmeet.i18n import LANGUAGES
from portmeet.labels import choices
from portmeet.registration.listing import RegistrationFilters
from portmeet.registration.models import Category, RegistrationStatus

MAX_BODY = 10_000
_TOO_LONG = _l("At most %(max)d characters.")
PLACEHOLDERS = "{first_name} {link} {itinerary}"


def _visit_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(message=_l("Write a subject.")),
                                                     Length(max=200, message=_TOO_LONG)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write the message.")),
                                                    Length(max=MAX_BODY, message=_TOO_LONG)],
                         description=_l("Placeholders replaced for each delegate: {first_name}, {link} (their "
                                        "private page), {itinerary} (their itinerary PDF)."))
    status = SelectField(_l("Status"), default="", choices=[("", _l("Confirmed or waiting"))] + choices(RegistrationStatus))
    country = CountryField(_l("Country"), blank=_l("Any country"))
    category = SelectField(_l("Category"), choices=[("", _l("Any category"))] + choices(Category), default="")
    visit = SelectField(_l("Field visit"), coerce=_visit_id, default=None, validate_choice=False)
    visit_status = SelectField(_l("Place on that visit"), default="", choices=[
        ("", _l("Booked or waiting")), ("booked", lazy_pgettext("booking status", "Booked")), ("waitlisted", _l("Waiting"))])
    missing_id = BooleanField(_l("ID data missing"))
    send = HiddenField()
    send_key = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")])

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit.choices = [("", _("Any field visit"))] + [(visit.id, visit.title) for visit in meeting.visits]
        # One optional version per other language the site speaks; delegates of that language get it.
        self.other_languages = [code for code in LANGUAGES if code != meeting.language]

    def versions(self, formdata) -> dict:
        """{language: {"subject", "body"}} of the versions written; the form checks their lengths."""
        versions = {}
        for code in self.other_languages:
            subject = (formdata.get(f"subject_{code}") or "").strip()
            body = (formdata.get(f"body_{code}") or "").strip()
            if subject or body:
                versions[code] = {"subject": subject, "body": body}
        return versions

    def version_errors(self, versions: dict) -> list[str]:
        errors = []
        for code, text in versions.items():
            name = LANGUAGES[code]
            if not text["subject"] or not text["body"]:
                errors.append(_("The %(language)s version needs both a subject and a message.", language=name))
            if len(text["subject"]) > 200 or len(text["body"]) > MAX_BODY:
                errors.append(_("The %(language)s version is too long (at most %(max)d characters).",
                                language=name, max=MAX_BODY))
        return errors

    def filters(self) -> RegistrationFilters:
        return RegistrationFilters(status=self.status.data or "", country=self.country.data or "",
                                   category=self.category.data or "", visit=self.visit.data,
                                   booking=self.visit_status.data or "", id_missing=bool(self.missing_id.data))
