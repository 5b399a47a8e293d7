"""Registration questions of a meeting and the answers of its delegates."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, str_enum
from portmeet.registration.models import Registration
from portmeet.timeutil import utcnow


class QuestionKind(str, enum.Enum):
    text = "text"
    long_text = "long_text"
    yes_no = "yes_no"
    choice = "choice"
    multiple_choice = "multiple_choice"
    date = "date"
    number = "number"


CHOICE_KINDS = (QuestionKind.choice, QuestionKind.multiple_choice)


class Question(db.Model):
    """One question of a meeting's registration form. Label, help and choices are written in the
    meeting's language; `translations` holds them in the other languages ({"fr": {"label": …,
    "help_text": …, "choices": [… same order …]}}). Answers keep the choice in the meeting's language."""

    __tablename__ = "registration_questions"
    __table_args__ = (
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind), default=QuestionKind.text)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    # Asked only of delegates who pick this visit (e.g. the hard-hat size for a terminal visit).
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("field_visits.id", ondelete="SET NULL"))
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # A date answer must fall in the month(s) of the meeting (arrival, departure).
    dates_in_meeting_month: Mapped[bool] = mapped_column(default=False)
    on_manifest: Mapped[bool] = mapped_column(default=False)
    # An answered question cannot be deleted; hidden, it leaves the form but keeps its answers.
    hidden: Mapped[bool] = mapped_column(default=False)
    # Which ready-made set it came from ("travel.arrival_date"), so adding a set twice adds nothing twice.
    preset: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    visit: Mapped[FieldVisit | None] = relationship()

    @property
    def title(self) -> str:
        """What the audit trail and lists call it."""
        return self.label

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def _translated(self, language: str | None) -> dict:
        if language and language != self.meeting.language:
            return (self.translations or {}).get(language) or {}
        return {}

    def label_in(self, language: str | None) -> str:
        return self._translated(language).get("label") or self.label

    def help_in(self, language: str | None) -> str:
        return self._translated(language).get("help_text") or self.help_text

    def choices_in(self, language: str | None) -> list[tuple[str, str]]:
        """(stored value, shown text) pairs: a translation is used only when it has every choice."""
        shown = self._translated(language).get("choices") or []
        if len(shown) != len(self.choices or []):
            shown = self.choices or []
        return list(zip(self.choices or [], shown))


class Answer(db.Model):
    """A delegate's answer to one question; a multiple-choice answer is one row per choice ticked,
    so that the registrations table filters by a choice with an equality."""

    __tablename__ = "question_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    # No cascade: the database too refuses to delete an answered question (checked at the end of the
    # statement, so that deleting a whole meeting, answers included, still works).
    question_id: Mapped[int] = mapped_column(ForeignKey("registration_questions.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    registration: Mapped[Registration] = relationship()
    question: Mapped[Question] = relationship()
