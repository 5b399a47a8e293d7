"""Registration forms: the delegate's form (also used to edit), the re-send link form, the manage filters."""
from functools import cached_property

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Email, Length, Optional

from portmeet.countries import country_name
from portmeet.dietary import Diet
from portmeet.forms_common import CheckboxesField, CountryField, LazyChoices
from portmeet.i18n import collation_key, current_language
from portmeet.meetings.content import localized
from portmeet.labels import choices
from portmeet.questions.forms import add_question_fields, answers_from, choice_filter_options, parse_choice_filter
from portmeet.registration import companions, listing, service, visa, waitlist
from portmeet.template_helpers import format_date, format_time
from portmeet.registration.models import Category, IdType, RegistrationStatus

REQUIRED = _l("This field is required.")


def _id_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class IdPicksField(SelectMultipleField):
    """Repeated ids; one that is not a number becomes None, so that the form's own check says, beside the
    field, that it is not on the list (rather than WTForms' message about coercion)."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = [_id_or_none(value) for value in valuelist]


class RegistrationForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    badge_name = StringField(_l("Name on the badge"), validators=[Optional(), Length(max=100)],
                             description=_l("Left empty, the badge shows your first and last name."))
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(REQUIRED), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(REQUIRED), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    country = CountryField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    phone = TelField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                     description=_l("Optional; for the day of the visits."))
    category = SelectField(_l("I attend as"), choices=choices(Category), default=Category.delegate.value)
    diets = CheckboxesField(_l("Dietary needs"), choices=choices(Diet))
    dietary = TextAreaField(_l("Other dietary needs or details"), validators=[Optional(), Length(max=500)],
                            description=_l("An allergy, food you do not eat…"))
    accessibility = TextAreaField(_l("Accessibility needs"), validators=[Optional(), Length(max=500)])
    consent_list = BooleanField(_l("List my name, organisation and country in the public participant list"))
    visits = SelectMultipleField(_l("Field visits"), coerce=int, validate_choice=False)
    signups = IdPicksField(_l("Meals and social events"), coerce=int, validate_choice=False)
    nationality = CountryField(_l("Nationality"), validators=[Optional()], blank=_l("Choose…"))
    id_number = StringField(_l("ID document number (passport or national ID card)"),
                            validators=[Optional(), Length(max=50)])
    # No format in the hint: a date input shows the format of the browser's locale (mm/dd/yyyy, jj/mm/aaaa…).
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()],
                              description=_l("As written on your passport or ID card."))
    needs_visa_letter = BooleanField(_l("I need a visa invitation letter"))
    id_name = StringField(_l("Name exactly as written in the document"), validators=[Optional(), Length(max=200)])
    id_type = SelectField(_l("Type of document"), default="", choices=[("", _l("Choose…"))] + choices(IdType))
    id_expiry = DateField(_l("Document valid until"), validators=[Optional()],
                          description=_l("As written on your passport or ID card."))

    def __init__(self, *args, meeting, registration=None, by_organiser: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.registration = registration
        self.by_organiser = by_organiser  # organisers may still change ID data after a deadline
        self.duplicate = False  # the template then offers to re-send the private link
        self.visits.choices = [(visit.id, localized(visit, "title")) for visit in meeting.visits]
        self.signups.choices = []  # the template lists `signup_sessions`, with their places
        if not by_organiser:
            # Delegates choose only these; speaker, host, organiser and press (printed on the badge's band)
            # are given by staff. A delegate whose category staff set keeps it when editing.
            public = [Category.delegate, Category.accompanying]
            if registration is not None and registration.category not in public:
                public.append(registration.category)
            self.category.choices = [(value, text) for value, text in self.category.choices
                                     if value in {c.value for c in public}]
        # The meeting's own questions, as q_<id> fields; an edit form opened by GET shows the answers.
        self.questions = add_question_fields(self, meeting, registration,
                                             fill=registration is not None and request.method == "GET")

    def add_refusal(self, error: service.RegistrationError) -> None:
        """Show, beside its field, a rule the service refused that validation could not see coming
        (e.g. the same e-mail registered a moment ago from another browser)."""
        field = getattr(self, error.field or "", None)
        errors = field.errors if field is not None else self.form_errors
        if isinstance(errors, tuple):
            errors = list(errors)
            if field is not None:
                field.errors = errors
            else:
                self.form_errors = errors
        errors.append(error.message)
        if error.field == "email":
            self.duplicate = True

    def validate_email(self, field):
        if self.registration is None and not self.by_organiser:
            # The public form says nothing about who is registered: `service.register` finds the address under
            # the meeting's lock (AlreadyRegistered) and the view mails the address its link.
            return
        if field.data and service.duplicate_registration(self.meeting, field.data, self.registration) is not None:
            self.duplicate = True
            raise ValidationError(_("This e-mail address is already registered for this meeting."))

    def validate_visits(self, field):
        known = {visit.id for visit in self.meeting.visits}
        if any(visit_id not in known for visit_id in field.data or ()):
            raise ValidationError(_("Pick field visits from the list."))

    @cached_property
    def signup_sessions(self):
        """The meeting's meals and social events taking sign-ups (read only when shown or checked: a
        registration without sign-ups costs no query for them)."""
        return waitlist.signup_sessions(self.meeting)

    def validate_signups(self, field):
        if not field.data:
            return
        known = {session.id for session in self.signup_sessions}
        if any(session_id not in known for session_id in field.data or ()):
            raise ValidationError(_("Pick meals and social events from the list."))

    def validate_date_of_birth(self, field):
        if field.data and not (1900 <= field.data.year and field.data < self.meeting.start_date):
            raise ValidationError(_("Enter your date of birth as written on your passport or ID card."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.visits.errors:
            return False
        visits = service.picked_visits(self.meeting, self.visits.data)
        problems = service.pick_problems(visits, self.id_data(), self.meeting.local_now().date(), self.registration,
                                         deadlines=not self.by_organiser)
        problems += visa.problems(self.meeting, {**self.id_data(), "needs_visa_letter": self.needs_visa_letter.data},
                                  self.registration)
        for name, message in problems:
            errors = getattr(self, name).errors
            if isinstance(errors, tuple):  # WTForms keeps a tuple until a validator fails
                getattr(self, name).errors = errors = list(errors)
            if message not in errors:
                errors.append(message)
        return valid and not problems

    def id_data(self) -> dict:
        return {"nationality": self.nationality.data or None, "id_number": (self.id_number.data or "").strip() or None,
                "date_of_birth": self.date_of_birth.data, "id_type": self.id_type.data or None,
                "id_expiry": self.id_expiry.data, "id_name": (self.id_name.data or "").strip() or None}

    def registration_data(self) -> dict:
        data = {name: getattr(self, name).data
                for name in (*service.PROFILE_FIELDS, "category", "visits", "signups", "diets")}
        data.update(self.id_data())
        data["needs_visa_letter"] = bool(self.needs_visa_letter.data)
        data["answers"] = answers_from(self.questions)
        return data

    def fragment_key(self, name: str, *depends_on) -> tuple | None:
        """The key under which a part of this form's page is rendered once per language (portmeet/fragments.py),
        or None while the form holds anything of a delegate's: their data, answers or errors."""
        if self.registration is not None:
            return None
        if not all(_untouched(f) for f in self if f.name not in ("csrf_token", "companions")):
            return None  # (those two are printed outside the fragments)
        return (type(self).__qualname__, name, str(get_locale()), self.by_organiser,
                tuple(value for value, _text in self.category.choices),
                *(tuple(part) if isinstance(part, list) else part for part in depends_on))

    @property
    def visits_needing_id(self):
        return [visit for visit in self.meeting.visits if visit.requires_id]


def _untouched(field) -> bool:
    """Nothing of a delegate's in this field: not sent, no error, no value but its default."""
    return field.raw_data is None and not field.errors and field.data in (None, False, "", [], field.default)


def _place_choices(places) -> list[tuple[int, str]]:
    return [(place.id, _("%(visit)s — %(day)s, %(start)s–%(end)s", visit=localized(place, "title"),
                         day=format_date(place.day), start=format_time(place.start_time),
                         end=format_time(place.end_time)))
            for place in places]


def companion_choices(meeting, signup_sessions) -> tuple[LazyChoices, LazyChoices]:
    """The visits and the meals and social events an accompanying person may join, written (dates and times
    in the page's language) only when a page shows them or a sent pick is checked."""
    return (LazyChoices(lambda: _place_choices(meeting.visits)),
            LazyChoices(lambda: _place_choices(signup_sessions())))


class _WhoseLabel:
    """A label of a row of accompanying person `number`: "First name" is the delegate's, so a screen reader
    (and a test finding a field by its label) hears whose each of these is. Written only when printed."""

    def __init__(self, text, number: int):
        self.text, self.number = text, number

    def __html__(self) -> Markup:
        whose = _("(accompanying person %(num)s)", num=self.number)
        return Markup('{}<span class="visually-hidden"> {}</span>').format(self.text, whose)

    __str__ = __html__


class _CompanionFields:
    """One accompanying person: names, country, dietary needs, the field visits they join."""

    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    country = CountryField(_l("Country"), validators=[Optional()], blank=_l("Same as the delegate's"))
    diets = CheckboxesField(_l("Dietary needs"), choices=choices(Diet))
    dietary = TextAreaField(_l("Other dietary needs or details"), validators=[Optional(), Length(max=500)])
    visits = CheckboxesField(_l("Field visits they join"), coerce=int, description=_l(
        "Places are counted as for everyone: a full visit puts them on its waitlist."))
    signups = CheckboxesField(_l("Meals and social events they join"), coerce=int)
    # Asked only when one of their visits needs it (port security), as of the delegate.
    nationality = CountryField(_l("Nationality"), validators=[Optional()], blank=_l("Choose…"))
    id_number = StringField(_l("ID document number (passport or national ID card)"),
                            validators=[Optional(), Length(max=50)])
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])

    blank_allowed = False  # an empty row of the registration form is ignored; the own page's form is one person

    def set_up(self, meeting, default_country, companion=None, choices=None) -> None:
        """`default_country`: a callable giving the delegate's country, used when the row leaves it empty;
        `companion`: the accompanying person being changed (None for a new one); `choices`: the visits' and
        events' choices (`companion_choices`), when rows of one form share them."""
        self.meeting = meeting
        self.default_country = default_country
        self.companion = companion
        self.visits.choices, self.signups.choices = choices or companion_choices(
            meeting, lambda: waitlist.signup_sessions(meeting))

    def companion_data(self) -> companions.CompanionData:
        return companions.CompanionData(
            first_name=(self.first_name.data or "").strip(), last_name=(self.last_name.data or "").strip(),
            country=self.country.data or self.default_country() or "", diets=list(self.diets.data or ()),
            dietary=(self.dietary.data or "").strip(), visits=list(self.visits.data or ()),
            signups=list(self.signups.data or ()), nationality=self.nationality.data or None,
            id_number=(self.id_number.data or "").strip() or None, date_of_birth=self.date_of_birth.data)

    @property
    def visits_needing_id(self):
        return [visit for visit in self.meeting.visits if visit.requires_id]

    def validate_date_of_birth(self, field):
        if field.data and not (1900 <= field.data.year and field.data < self.meeting.start_date):
            raise ValidationError(_("Enter the date of birth as written on the passport or ID card."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        data = self.companion_data()
        if self.blank_allowed and data.is_blank:
            return valid
        # Every rule's message beside its field, besides what the fields' own validators said.
        found = [(name, message) for name, message in companions.problems(self.meeting, data, self.companion)
                 if not getattr(self, name).errors]
        for name, message in found:
            field = getattr(self, name)
            field.errors = [*field.errors, message]
        return valid and not found


class CompanionRowForm(_CompanionFields, Form):
    """A row of the registration form's "Accompanying persons" (no CSRF of its own: the form's covers it)."""

    blank_allowed = True


class CompanionForm(_CompanionFields, FlaskForm):
    """One accompanying person, added or changed from the delegate's own page."""

    def __init__(self, *args, meeting, registration, companion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_up(meeting, lambda: registration.country, companion)


class _RowsShownEmpty(FieldList):
    """A list of rows whose empty ones (`min_entries`) are for a page showing the form: a posted form that carries
    none of its rows (a delegate without accompanying persons: most) builds none; `show_empty_rows` adds them when
    the form is shown again."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        if formdata and not any(key.startswith(f"{self.name}{self._separator}") for key in formdata):
            minimum, self.min_entries = self.min_entries, 0
            try:
                super().process(formdata, data, extra_filters)
            finally:
                self.min_entries = minimum
        else:
            super().process(formdata, data, extra_filters)


class PublicRegistrationForm(RegistrationForm):
    """The registration form with its rows for accompanying persons (empty rows are ignored)."""

    companions = _RowsShownEmpty(FormField(CompanionRowForm), min_entries=2, max_entries=companions.MAX_COMPANIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shared_choices = companion_choices(self.meeting, lambda: self.signup_sessions)
        self._set_up_rows(self.companions.entries)

    def _set_up_rows(self, entries) -> None:
        for entry in entries:
            number = self.companions.entries.index(entry) + 1
            entry.form.set_up(self.meeting, lambda: self.country.data, choices=self._shared_choices)
            for field in entry.form:
                field.label.text = _WhoseLabel(field.label.text, number)

    def show_empty_rows(self) -> None:
        """Before the form is shown: the empty rows a posted form did not build."""
        added = [self.companions.append_entry() for _ in range(self.companions.min_entries - len(self.companions))]
        self._set_up_rows(added)

    def companions_fragment_key(self) -> tuple | None:
        """The key of the (empty) rows of accompanying persons, rendered once per language and offer; None once
        a row holds anything (see `fragment_key`)."""
        if not all(_untouched(f) for entry in self.companions for f in entry.form):
            return None
        return self.fragment_key(
            "companions", len(self.companions),
            [(visit.id, localized(visit, "title"), visit.day, visit.start_time, visit.end_time, visit.requires_id)
             for visit in self.meeting.visits],
            [(session.id, localized(session, "title"), session.day, session.start_time, session.end_time)
             for session in self.signup_sessions])

    @property
    def companions_given(self) -> bool:
        """Some row filled in or refused: the form shows its accompanying persons open."""
        return any(not entry.form.companion_data().is_blank or entry.errors for entry in self.companions)

    def registration_data(self) -> dict:
        data = super().registration_data()
        rows = [entry.form.companion_data() for entry in self.companions]
        data["companions"] = [row for row in rows if not row.is_blank]
        return data


class ResendLinkForm(FlaskForm):
    email = EmailField(_l("E-mail you registered with"), validators=[
        DataRequired(REQUIRED), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)])


MAX_ID = 2**31 - 1


def _visit_id(value) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)  # a ValueError makes the filter form invalid: the table answers 400
    if not 0 < number <= MAX_ID:
        raise ValueError("not a visit id")
    return number


class RegistrationFilterForm(FlaskForm):
    """The filters of the registrations table (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)],
                    description=_l("Name, e-mail or organisation; accents and capitals do not matter."))
    status = SelectField(_l("Status"), choices=[("", _l("Any status"))] + choices(RegistrationStatus), default="")
    # Only the countries of this meeting's registrations: a dozen, not 250.
    country = SelectField(_l("Country"), default="")
    category = SelectField(_l("Category"), choices=[("", _l("Any category"))] + choices(Category), default="")
    visit = SelectField(_l("Field visit"), coerce=_visit_id, default=None, validate_choice=False)
    booking = SelectField(_l("Place on that visit"), default="", choices=[
        ("", _l("Booked or waiting")), ("booked", lazy_pgettext("booking status", "Booked")), ("waitlisted", _l("Waiting"))])
    id_missing = BooleanField(_l("ID data missing"))
    needs = SelectField(_l("Needs"), default="", choices=[
        ("", _l("Any")), ("dietary", _l("Dietary needs")), ("accessibility", _l("Accessibility needs"))]
        + [(f"diet:{value}", text) for value, text in choices(Diet)])
    arrived = SelectField(_l("Arrival"), default="", choices=[
        ("", _l("Any")), ("yes", _l("Checked in")), ("no", _l("Not checked in"))])
    answer = SelectField(_l("Answer"), default="", validate_choice=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit.choices = [("", _("Any field visit"))] + [(visit.id, visit.title) for visit in meeting.visits]
        # "<question id>:<choice>" for every choice of the meeting's choice questions, grouped by question.
        self.answer.choices = {"": [("", _("Any answer"))], **choice_filter_options(meeting)}
        language = current_language()
        present = [(code, country_name(code, language)) for code in listing.countries_present(meeting)]
        self.country.choices = [("", _("Any country"))] + sorted(present, key=lambda item: collation_key(item[1]))

    def filters(self) -> listing.RegistrationFilters:
        valid = self.validate()
        if not valid:
            return listing.RegistrationFilters()
        return listing.RegistrationFilters(status=self.status.data or "", country=self.country.data or "",
                                           category=self.category.data or "", visit=self.visit.data,
                                           booking=self.booking.data or "", id_missing=bool(self.id_missing.data),
                                           needs=self.needs.data or "", arrived=self.arrived.data or "",
                                           answer=parse_choice_filter(self.answer.data),
                                           search=self.q.data or "")


class StaffPickForm(FlaskForm):
    """A staff override of one visit pick on a registration's staff page."""

    visit = SelectField(_l("Field visit"), coerce=_visit_id, validate_choice=False)
    action = SelectField(choices=[("book", "book"), ("remove", "remove")], default="book")
    over_capacity = BooleanField(_l("Over capacity: book even though the visit is full"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit.choices = [(visit.id, visit.title) for visit in meeting.visits]

    def validate_visit(self, field):
        if field.data not in {visit_id for visit_id, _title in self.visit.choices}:
            raise ValidationError(_("Choose a field visit of this meeting."))
