"""The host's question form, and the `q_<id>` fields a meeting's questions add to the registration form."""
from __future__ import annotations

import calendar
from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from portmeet.forms_common import CheckboxesField
from portmeet.i18n import LANGUAGES, current_language
from portmeet.questions import service
from portmeet.questions.models import CHOICE_KINDS, Question, QuestionKind

KIND_LABELS = {
    "text": _l("Short text"), "long_text": _l("Long text"), "yes_no": _l("Yes or no (a tick box)"),
    "choice": _l("One choice"), "multiple_choice": _l("Several choices"), "date": _l("Date"),
    "number": _l("Number"),
}
TEXT_MAX = {QuestionKind.text: 300, QuestionKind.long_text: 3000}
MAX_CHOICES = 40
NUMBER_LIMIT = 10**9


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _decimal_or_none(value):
    return value if value is not None and value != "" else None


def _within_limit(value) -> None:
    if value is not None and (not value.is_finite() or abs(value) >= NUMBER_LIMIT):
        raise ValidationError(_("Enter a number below one billion."))


class QuestionForm(FlaskForm):
    label = StringField(_l("Question"), validators=[DataRequired(_l("This field is required.")), Length(max=300)])
    kind = SelectField(_l("Kind of answer"), choices=list(KIND_LABELS.items()), default="text")
    choices = TextAreaField(_l("Choices"), validators=[Optional(), Length(max=4000)],
                            description=_l("For one or several choices: one per line."))
    required = BooleanField(_l("An answer is required"))
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)],
                            description=_l("Shown under the question."))
    visit = SelectField(_l("Ask only delegates who pick"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                        validate_choice=False, default=None)
    min_value = DecimalField(_l("Smallest number accepted"), validators=[Optional()], places=None)
    max_value = DecimalField(_l("Largest number accepted"), validators=[Optional()], places=None)
    dates_in_meeting_month = BooleanField(_l("A date answer must fall in the month of the meeting"))
    on_manifest = BooleanField(_l("Show the answers on field-visit manifests"))
    hidden = BooleanField(_l("Hidden: no longer asked on the form (answers are kept)"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.visit.choices = [("", _("Everyone (any field visit)"))] + [(v.id, v.title) for v in meeting.visits]
        # One label, help and choices field per other language: label_fr, help_text_fr, choices_fr…
        self.languages = service.other_languages(meeting)
        for language in self.languages:
            name = LANGUAGES[language]
            self._add(f"label_{language}", StringField(_l("Question in %(language)s", language=name),
                                                       validators=[Optional(), Length(max=300)]))
            self._add(f"help_text_{language}", StringField(_l("Help text in %(language)s", language=name),
                                                           validators=[Optional(), Length(max=500)]))
            self._add(f"choices_{language}", TextAreaField(
                _l("Choices in %(language)s", language=name), validators=[Optional(), Length(max=4000)],
                description=_l("In the same order, one per line.")))

    def _add(self, name: str, unbound) -> None:
        field = self.meta.bind_field(self, unbound, {"name": name, "prefix": self._prefix})
        self._fields[name] = field
        setattr(self, name, field)
        formdata = self.meta.wrap_formdata(self, request.form if request.method == "POST" else None)
        field.process(formdata)

    def fill_from(self, question: Question) -> None:
        self.kind.data = question.kind.value
        self.choices.data = "\n".join(question.choices or [])
        self.visit.data = question.visit_id
        for language in self.languages:
            values = (question.translations or {}).get(language, {})
            self[f"label_{language}"].data = values.get("label", "")
            self[f"help_text_{language}"].data = values.get("help_text", "")
            self[f"choices_{language}"].data = "\n".join(values.get("choices") or [])

    def validate_visit(self, field):
        if field.data is not None and field.data not in {v.id for v in self.meeting.visits}:
            raise ValidationError(_("Pick a field visit from the list."))

    def validate_choices(self, field):
        if self.kind.data not in {k.value for k in CHOICE_KINDS}:
            return
        lines = _lines(field.data)
        if len(lines) < 2:
            raise ValidationError(_("Write at least two choices, one per line."))
        if len(lines) > MAX_CHOICES:
            raise ValidationError(_("At most %(number)d choices.", number=MAX_CHOICES))
        if len({line.casefold() for line in lines}) != len(lines):
            raise ValidationError(_("Each choice may appear only once."))
        if any(len(line) > 200 for line in lines):
            raise ValidationError(_("A choice may have at most 200 characters."))

    # Each limit is checked on its own (beside its field): a smallest number given alone must not reach the
    # database either, whose column holds less than ten billion (a 500 on PostgreSQL, "numeric field overflow").
    def validate_min_value(self, field):
        _within_limit(field.data)

    def validate_max_value(self, field):
        _within_limit(field.data)
        minimum = self.min_value.data
        if field.data is not None and minimum is not None and minimum.is_finite() and field.data < minimum:
            raise ValidationError(_("The largest number must not be smaller than the smallest."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data in {k.value for k in CHOICE_KINDS}:
            count = len(_lines(self.choices.data))
            for language in self.languages:
                field = self[f"choices_{language}"]
                given = _lines(field.data)
                if given and len(given) != count:
                    field.errors = list(field.errors) + [
                        _("Write as many choices as in the first list (%(number)d), in the same order.", number=count)]
                    valid = False
        return valid

    def question_data(self) -> dict:
        translations = {
            language: {"label": (self[f"label_{language}"].data or "").strip(),
                       "help_text": (self[f"help_text_{language}"].data or "").strip(),
                       "choices": _lines(self[f"choices_{language}"].data)}
            for language in self.languages
        }
        return {
            "label": self.label.data.strip(), "kind": self.kind.data, "choices": _lines(self.choices.data),
            "required": bool(self.required.data), "help_text": (self.help_text.data or "").strip(),
            "visit_id": self.visit.data, "min_value": _decimal_or_none(self.min_value.data),
            "max_value": _decimal_or_none(self.max_value.data),
            "dates_in_meeting_month": bool(self.dates_in_meeting_month.data), "on_manifest": bool(self.on_manifest.data),
            "hidden": bool(self.hidden.data), "translations": translations,
        }


# --- the q_<id> fields of the registration form --------------------------------------------------------

class Asked:
    """First validator of every question field: a visit's question is skipped unless that visit is
    picked; an empty answer is an error only when required; a value that could not be read gets the
    question's own message instead of WTForms' generic one."""

    def __init__(self, question: Question, unreadable: str):
        self.question = question
        self.unreadable = unreadable

    def __call__(self, form, field):
        question = self.question
        if question.visit_id is not None and question.visit_id not in (form.visits.data or []):
            field.errors[:] = []
            raise StopValidation()
        raw = [str(v).strip() for v in (field.raw_data or []) if str(v).strip()]
        if not raw:
            field.errors[:] = []
            if question.required and not getattr(form, "by_organiser", False):  # staff may leave it
                message = (_("Tick this box to go on.") if question.kind == QuestionKind.yes_no
                           else _("This field is required."))
                raise StopValidation(message)
            raise StopValidation()
        if field.process_errors:
            field.errors[:] = []
            raise StopValidation(self.unreadable)


class ChoiceAnswerField(RadioField):
    """One of the question's choices, as radio buttons; an answer not offered gets a clear message."""

    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_("Choose one of the answers offered."))


class ChoicesAnswerField(CheckboxesField):
    """Several of the question's choices, as tick boxes."""


def _number_in_range(question: Question):
    def check(form, field):
        value = field.data
        if value is None:
            return
        if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
            raise ValidationError(_("Enter a number."))
        low, high = question.min_value, question.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                message = _("Enter a number from %(min)s to %(max)s.", min=_plain(low), max=_plain(high))
            elif low is not None:
                message = _("Enter a number of at least %(min)s.", min=_plain(low))
            else:
                message = _("Enter a number of at most %(max)s.", max=_plain(high))
            raise ValidationError(message)
    return check


def _plain(number) -> str:
    return format(number.normalize(), "f")


def _date_allowed(question: Question, meeting):
    def check(form, field):
        value = field.data
        if value is None:
            return
        if not 1900 <= value.year <= 2200:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        if question.dates_in_meeting_month:
            first = meeting.start_date.replace(day=1)
            last = meeting.end_date.replace(day=calendar.monthrange(meeting.end_date.year, meeting.end_date.month)[1])
            if not first <= value <= last:
                raise ValidationError(_("Enter a date from %(first)s to %(last)s.",
                                        first=first.isoformat(), last=last.isoformat()))
    return check


def unbound_field(question: Question, meeting, language: str):
    """The WTForms field asking this question, in the page's language."""
    label, hint = question.label_in(language), question.help_in(language)
    if question.required:
        label = _("%(question)s (required)", question=label)
    if question.visit_id is not None and question.visit is not None:
        hint = " ".join(p for p in (hint, _("Only if you pick “%(visit)s”.", visit=question.visit.title)) if p)
    kind = question.kind
    common = {"label": label, "description": hint}
    if kind in TEXT_MAX:
        limit = TEXT_MAX[kind]
        cls = StringField if kind == QuestionKind.text else TextAreaField
        return cls(validators=[Asked(question, ""), Length(max=limit, message=_(
            "At most %(max)d characters, please.", max=limit))], **common)
    if kind == QuestionKind.yes_no:
        return BooleanField(validators=[Asked(question, "")], **common)
    if kind == QuestionKind.choice:
        return ChoiceAnswerField(choices=question.choices_in(language), validators=[Asked(question, "")], **common)
    if kind == QuestionKind.multiple_choice:
        return ChoicesAnswerField(choices=question.choices_in(language), validators=[Asked(question, "")], **common)
    if kind == QuestionKind.date:
        # No "YYYY-MM-DD" hint: browsers draw a date picker in their own format, which the hint contradicted;
        # a browser without one gets the format in the error message.
        return DateField(validators=[Asked(question, _("Enter a date as YYYY-MM-DD.")), _date_allowed(question, meeting)],
                         **common)
    return DecimalField(places=None, validators=[Asked(question, _("Enter a number.")), _number_in_range(question)],
                        **common)


def _form_value(question: Question, values: list[str]):
    """Stored answer rows as the field's data, to fill the edit form."""
    if not values:
        return None
    if question.kind == QuestionKind.multiple_choice:
        return list(values)
    if question.kind == QuestionKind.yes_no:
        return values[0] == "yes"
    if question.kind == QuestionKind.date:
        try:
            return date.fromisoformat(values[0])
        except ValueError:
            return None
    if question.kind == QuestionKind.number:
        from decimal import Decimal, InvalidOperation

        try:
            return Decimal(values[0])
        except InvalidOperation:
            return None
    return values[0]


def add_question_fields(form, meeting, registration=None, *, fill: bool = False) -> list:
    """Bind one `q_<id>` field per visible question to a registration form; with `fill`, the fields show
    the registration's answers (an edit form opened by GET). Returns the (question, field) pairs."""
    language = current_language()
    answers = service.answers_of(registration) if registration is not None and fill else {}
    formdata = form.meta.wrap_formdata(form, request.form if request.method == "POST" else None)
    pairs = []
    for question in service.form_questions(meeting):
        name = question.field_name
        field = form.meta.bind_field(form, unbound_field(question, meeting, language),
                                     {"name": name, "prefix": form._prefix})
        form._fields[name] = field
        field.process(None if fill else formdata, _form_value(question, answers.get(question.id, [])))
        pairs.append((question, field))
    return pairs


def answers_from(pairs) -> dict[int, object]:
    """Question id → the field's value, for service.save_answers."""
    return {question.id: field.data for question, field in pairs}


def choice_filter_options(meeting) -> dict[str, list[tuple[str, str]]]:
    """Options of the registrations table's answer filter: question label → ("<id>:<choice>", choice)."""
    language = current_language()
    return {question.label_in(language): [(f"{question.id}:{value}", shown) for value, shown in question.choices_in(language)]
            for question in service.questions_of(meeting) if question.has_choices}


def parse_choice_filter(value: str | None) -> tuple[int, str] | None:
    """(question id, choice) from "<id>:<choice>"; None for anything else."""
    question_id, _sep, choice = (value or "").partition(":")
    return (int(question_id), choice) if question_id.isdigit() and choice and len(question_id) < 10 else None
