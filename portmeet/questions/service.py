"""Rules of registration questions: adding, ordering, hiding, ready-made sets, and the answers.

Functions add and flush; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from portmeet import audit
from portmeet.extensions import db
from portmeet.fragments import kept
from portmeet.i18n import LANGUAGES
from portmeet.meetings.models import Meeting
from portmeet.questions.models import CHOICE_KINDS, Answer, Question, QuestionKind
from portmeet.registration.models import Registration

TEXT_FIELDS = ("label", "help_text")


class QuestionError(ValueError):
    """A rule refused the change; the message says why."""


def questions_of(meeting: Meeting, *, include_hidden: bool = True) -> list[Question]:
    """The meeting's questions in form order."""
    query = select(Question).where(Question.meeting_id == meeting.id).order_by(Question.position, Question.id)
    if not include_hidden:
        query = query.where(Question.hidden.is_(False))
    return list(db.session.scalars(query))


def form_questions(meeting: Meeting) -> list[Question]:
    """The questions the registration form asks (hidden ones left out). Most meetings ask none: that is kept
    per process for the meeting's content version, which every change of a question bumps
    (meetings/versions.py), so that their registrations cost no query for questions."""
    if kept(("asks-questions", *meeting.content_key), lambda: bool(questions_of(meeting, include_hidden=False))):
        return questions_of(meeting, include_hidden=False)
    return []


def other_languages(meeting: Meeting) -> list[str]:
    """The languages a question can be translated into: every offered language but the meeting's."""
    return [code for code in LANGUAGES if code != meeting.language]


def save_question(meeting: Meeting, data: dict, question: Question | None = None) -> Question:
    """Create or change a question. `data` holds the columns, `choices` as a list, and `translations`
    as {language: {"label", "help_text", "choices"}}. Changing the kind of an answered question is
    refused: its answers would no longer mean anything."""
    created = question is None
    if question is None:
        question = Question(meeting=meeting, position=_next_position(meeting))
        db.session.add(question)
    elif data.get("kind") and QuestionKind(data["kind"]) != question.kind and has_answers(question):
        raise QuestionError(_("This question already has answers, so its kind cannot change."))
    for name in ("label", "help_text", "required", "visit_id", "min_value", "max_value",
                 "dates_in_meeting_month", "on_manifest", "hidden"):
        if name in data:
            setattr(question, name, data[name])
    if data.get("kind"):
        question.kind = QuestionKind(data["kind"])
    question.choices = list(data.get("choices") or []) if question.kind in CHOICE_KINDS else []
    if "translations" in data:
        question.translations = {lang: {k: v for k, v in values.items() if v}
                                 for lang, values in data["translations"].items() if any(values.values())}
    db.session.flush()
    audit.record(meeting, "question.created" if created else "question.changed", subject=question,
                 details={"kind": question.kind.value})
    return question


def _next_position(meeting: Meeting) -> int:
    highest = db.session.scalar(select(func.max(Question.position)).where(Question.meeting_id == meeting.id))
    return (highest or 0) + 1


def move_question(question: Question, direction: str) -> bool:
    """Swap the question with its neighbour above ("up") or below ("down"). Returns whether it moved."""
    ordered = questions_of(question.meeting)
    for number, item in enumerate(ordered):  # positions made distinct first: old rows may share one
        item.position = number + 1
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return False
    ordered[index].position, ordered[other].position = ordered[other].position, ordered[index].position
    db.session.flush()
    audit.record(question.meeting, "question.moved", subject=question, details={"direction": direction})
    return True


def has_answers(question: Question) -> bool:
    return db.session.scalar(select(Answer.id).where(Answer.question_id == question.id).limit(1)) is not None


def delete_question(question: Question) -> None:
    """Delete a question nobody has answered; an answered one can only be hidden."""
    if has_answers(question):
        raise QuestionError(_("Delegates have answered this question, so it cannot be deleted; hide it instead."))
    audit.record(question.meeting, "question.deleted", subject=question)
    db.session.delete(question)
    db.session.flush()


def set_hidden(question: Question, hidden: bool) -> None:
    question.hidden = hidden
    db.session.flush()
    audit.record(question.meeting, "question.hidden" if hidden else "question.shown", subject=question)


# --- ready-made sets --------------------------------------------------------------------------------

def _preset_questions(name: str) -> list[dict]:
    """The questions of a ready-made set, labels in the current language."""
    arriving_by = [_("Plane"), _("Train"), _("Car"), _("Boat"), _("Other")]
    sets = {
        "travel": [
            dict(preset="travel.arrival_date", kind="date", label=_("Arrival date"), dates_in_meeting_month=True),
            dict(preset="travel.arrival_time", kind="text", label=_("Arrival time"),
                 help_text=_("For example 14:30, with the flight or train number if you have one.")),
            dict(preset="travel.arriving_by", kind="choice", label=_("Arriving by"), choices=arriving_by),
            dict(preset="travel.departure_date", kind="date", label=_("Departure date"), dates_in_meeting_month=True),
            dict(preset="travel.departure_time", kind="text", label=_("Departure time")),
            dict(preset="travel.hotel", kind="text", label=_("Hotel"),
                 help_text=_("Where you will stay, so that we can tell you about transfers.")),
        ],
        "photo": [
            dict(preset="photo.consent", kind="choice", required=True,
                 label=_("May we use photos and videos in which you appear?"),
                 choices=[_("Yes"), _("No")],
                 help_text=_("Photos of the meeting are shared with the participants and on the network's website.")),
        ],
        "emergency": [
            dict(preset="emergency.name", kind="text", label=_("Emergency contact: name")),
            dict(preset="emergency.phone", kind="text", label=_("Emergency contact: phone number")),
        ],
    }
    return sets[name]


PRESETS = ("travel", "photo", "emergency")


def preset_title(name: str) -> str:
    return {"travel": _("Travel and accommodation"), "photo": _("Photo consent"),
            "emergency": _("Emergency contact")}[name]


def add_preset(meeting: Meeting, name: str) -> list[Question]:
    """Add a ready-made set of questions, labelled in the meeting's language and translated into the
    others; questions of the set already on the form are not added again. Returns those added."""
    if name not in PRESETS:
        raise QuestionError(_("There is no such set of questions."))
    with force_locale(meeting.language):
        main = _preset_questions(name)
    translated = {}
    for language in other_languages(meeting):
        with force_locale(language):
            translated[language] = _preset_questions(name)
    present = set(db.session.scalars(select(Question.preset).where(Question.meeting_id == meeting.id)))
    added = []
    for number, values in enumerate(main):
        if values["preset"] in present:
            continue
        translations = {lang: {k: items[number].get(k) for k in ("label", "help_text", "choices")}
                        for lang, items in translated.items()}
        question = save_question(meeting, {**values, "translations": translations})
        question.preset = values["preset"]
        added.append(question)
    db.session.flush()
    return added


# --- answers ------------------------------------------------------------------------------------------

def asked_of(question: Question, visit_ids) -> bool:
    """Whether the form asks this question of a delegate who picked these visits."""
    return not question.hidden and (question.visit_id is None or question.visit_id in set(visit_ids or ()))


def answers_of(registration: Registration) -> dict[int, list[str]]:
    """Question id → the registration's answer values (several for a multiple choice)."""
    if registration.id is None:
        return {}
    answers: dict[int, list[str]] = defaultdict(list)
    for question_id, value in db.session.execute(
        select(Answer.question_id, Answer.value).where(Answer.registration_id == registration.id).order_by(Answer.id)
    ):
        answers[question_id].append(value)
    return dict(answers)


def answers_by_registration(meeting: Meeting) -> dict[int, dict[int, list[str]]]:
    """Registration id → question id → values, for the whole meeting in one query (tables, CSV, manifests)."""
    table: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(
        select(Answer.registration_id, Answer.question_id, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.meeting_id == meeting.id).order_by(Answer.id)
    )
    for registration_id, question_id, value in rows:
        table[registration_id][question_id].append(value)
    return table


def storable(question: Question, value) -> list[str]:
    """A form value as the rows stored: [] for no answer."""
    if value is None or value == "" or value == []:
        return []
    if question.kind == QuestionKind.multiple_choice:
        return list(dict.fromkeys(str(v) for v in value))  # a choice sent twice is one answer, kept once
    if question.kind == QuestionKind.yes_no:
        return ["yes" if value else "no"]
    if question.kind == QuestionKind.date:
        return [value.isoformat()]
    if question.kind == QuestionKind.number:
        return [format(Decimal(value).normalize(), "f")]
    return [str(value).strip()] if str(value).strip() else []


def save_answers(registration: Registration, answers: dict[int, object], visit_ids) -> None:
    """Replace the registration's answers to the questions the form asked with `answers` (question id →
    form value). Answers to a visit's question are dropped with the visit; answers to hidden questions
    are kept as they were."""
    questions = questions_of(registration.meeting)
    asked = [q for q in questions if asked_of(q, visit_ids)]
    dropped = [q.id for q in questions if not q.hidden and not asked_of(q, visit_ids)]
    replaced = [q.id for q in asked if q.id in answers]
    if registration.id is None:
        db.session.flush()
    if replaced or dropped:
        db.session.execute(delete(Answer).where(Answer.registration_id == registration.id,
                                                Answer.question_id.in_(replaced + dropped)))
    for question in asked:
        if question.id in answers:
            for value in storable(question, answers[question.id]):
                db.session.add(Answer(registration_id=registration.id, question_id=question.id, value=value))
    db.session.flush()


def shown_answer(question: Question, values: list[str], language: str | None = None) -> str:
    """An answer as a person reads it: choices in the page's language, yes or no in words."""
    if not values:
        return ""
    if question.kind == QuestionKind.yes_no:
        return _("Yes") if values[0] == "yes" else _("No")
    if question.has_choices:
        names = dict(question.choices_in(language))
        return ", ".join(names.get(v, v) for v in values)
    return values[0]


def answered_with(question_id: int, value: str):
    """The condition "this registration ticked `value` for that question", for the registrations table."""
    return Registration.id.in_(select(Answer.registration_id).where(Answer.question_id == question_id,
                                                                     Answer.value == value))


def answer_lines(registration: Registration, language: str | None, *, staff: bool = False) -> list[tuple[str, str, bool]]:
    """(question label, answer text, hidden) for a registration's page: the questions the form asks them
    (in the page's language); staff also see answers to hidden questions."""
    answers = answers_of(registration)
    visit_ids = [booking.visit_id for booking in registration.bookings]
    lines = []
    for question in questions_of(registration.meeting):
        if asked_of(question, visit_ids) or (staff and question.id in answers):
            lines.append((question.label_in(language), shown_answer(question, answers.get(question.id, []), language),
                          question.hidden))
    return lines


def manifest_questions(meeting: Meeting) -> list[Question]:
    """The questions a host chose to print on field-visit manifests, in form order."""
    return [question for question in questions_of(meeting) if question.on_manifest]
