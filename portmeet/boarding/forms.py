"""Forms of the roll call: the mark and undo buttons, and the badge-code box."""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from portmeet.boarding.service import Step

STEPS = [step.value for step in Step]


class MarkForm(FlaskForm):
    """One mark or undo button. `at` is the phone's time of the tap in milliseconds since 1970 (set by
    the page's script, so that a mark queued offline keeps the time it was made); `confirm` = y boards
    a delegate still waiting for a place."""

    step = HiddenField(default=Step.board.value, validators=[AnyOf(STEPS)])
    at = HiddenField(validators=[Optional(), Regexp(r"^\d{1,15}$")])
    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "y"

    @property
    def client_time(self) -> datetime | None:
        if not self.at.data:
            return None
        try:
            moment = datetime.fromtimestamp(int(self.at.data) / 1000, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
        return moment.replace(tzinfo=None)


class ScanForm(FlaskForm):
    """A badge's QR code as text: what a scanner app reads (the check-in address), or the code alone."""

    step = HiddenField(default=Step.board.value, validators=[AnyOf(STEPS)])
    code = StringField(_l("Badge code or address"), validators=[DataRequired(), Length(max=500)])
