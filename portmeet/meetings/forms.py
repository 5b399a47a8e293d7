"""Forms for meetings, programme sessions and field visits (field names are the public contract)."""
import re
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from portmeet.forms_common import CountryField
from portmeet.i18n import LANGUAGES
from portmeet.meetings import service
from portmeet.meetings.models import MeetingStatus, SessionKind, Transport

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TIMEZONES = sorted(available_timezones())
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _choices(enum_class):
    return [(member.value, member.value.capitalize()) for member in enum_class]


class MeetingForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    edition = IntegerField("Edition number", validators=[Optional(), NumberRange(min=1, max=1000)])
    slug = StringField(
        "Address name (slug)",
        description="Lower-case letters, digits and hyphens; left empty, it is made from the title.",
        validators=[Optional(), Length(max=80), Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and single hyphens only.")],
    )
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    country = CountryField("Country", validators=[DataRequired(message="Choose a country.")])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    start_date = DateField("First day", validators=[DataRequired(message="Enter a date (YYYY-MM-DD).")])
    end_date = DateField("Last day", validators=[DataRequired(message="Enter a date (YYYY-MM-DD).")])
    timezone = SelectField("Time zone", choices=[(tz, tz) for tz in TIMEZONES], default="Europe/Paris",
                           validate_choice=False, validators=[DataRequired()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10000)])
    host_organisation = StringField("Host organisation", validators=[Optional(), Length(max=200)])
    partners = TextAreaField("Partners", validators=[Optional(), Length(max=2000)])
    contact_email = EmailField("Contact e-mail", validators=[Optional(), Email(), Length(max=254)])
    registration_opens = DateTimeLocalField("Registration opens", format=DATETIME_FORMAT, validators=[Optional()])
    registration_closes = DateTimeLocalField("Registration closes", format=DATETIME_FORMAT, validators=[Optional()])
    capacity = IntegerField("Delegate capacity", default=80,
                            validators=[InputRequired(message="Enter the number of delegates."),
                                        NumberRange(min=1, max=10000, message="Capacity must be between 1 and 10000.")])
    status = SelectField("Status", choices=_choices(MeetingStatus), default="draft")
    language = SelectField("Default language", choices=list(LANGUAGES.items()), default="en",
                           description="Used for visitors whose browser asks for none of ours.")

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def validate_slug(self, field):
        slug = field.data or service.slugify(self.title.data or "")
        if not slug:
            raise ValidationError("Enter an address name.")
        if not service.slug_is_free(slug, exclude=self.meeting):
            raise ValidationError(f"The address name “{slug}” is already taken; choose another.")

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError("Choose a time zone from the list (e.g. Europe/Madrid).")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The last day cannot be before the first day.")

    def validate_registration_closes(self, field):
        if not field.data:
            return
        if self.end_date.data and field.data.date() > self.end_date.data:
            raise ValidationError("Registration must close by the end of the meeting.")
        if self.registration_opens.data and field.data <= self.registration_opens.data:
            raise ValidationError("Registration must close after it opens.")

    def validate_status(self, field):
        if self.meeting is not None:
            error = service.status_change_error(self.meeting.status, MeetingStatus(field.data))
            if error:
                raise ValidationError(error)


class SessionForm(FlaskForm):
    day = DateField("Day", validators=[DataRequired(message="Choose a day of the meeting.")])
    start_time = TimeField("Start", validators=[DataRequired(message="Enter a time (HH:MM).")])
    end_time = TimeField("End", validators=[DataRequired(message="Enter a time (HH:MM).")])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=_choices(SessionKind), default="plenary")
    room = StringField("Room", validators=[Optional(), Length(max=100)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    speakers = TextAreaField(
        "Speakers",
        description="One per line: Name, Organisation, country code (e.g. Ana Ruiz, Port of Bilbao, ES).",
        validators=[Optional(), Length(max=5000)],
    )

    def __init__(self, *args, meeting, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.session = session
        self.parsed_speakers: list[service.SpeakerLine] = []

    def validate_day(self, field):
        if field.data and not (self.meeting.start_date <= field.data <= self.meeting.end_date):
            raise ValidationError(service.outside_dates_message(self.meeting))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("The session must end after it starts.")
        if self.day.data and self.start_time.data and field.data and self.room.data:
            clash = service.room_clash(self.meeting, self.day.data, self.start_time.data, field.data,
                                       self.room.data, exclude=self.session)
            if clash is not None:
                raise ValidationError(
                    f"{clash.room} is already used by “{clash.title}” "
                    f"({clash.start_time:%H:%M}–{clash.end_time:%H:%M}) at that time."
                )

    def validate_speakers(self, field):
        try:
            self.parsed_speakers = service.parse_speakers(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class VisitForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    day = DateField("Day", validators=[DataRequired(message="Choose a day of the meeting.")])
    start_time = TimeField("Start", validators=[DataRequired(message="Enter a time (HH:MM).")])
    end_time = TimeField("End", validators=[DataRequired(message="Enter a time (HH:MM).")])
    meeting_point = StringField("Meeting point", validators=[Optional(), Length(max=200)])
    transport = SelectField("Transport", choices=_choices(Transport), default="walk")
    capacity = IntegerField("Places", default=20,
                            validators=[InputRequired(message="Enter the number of places."),
                                        NumberRange(min=1, max=10000, message="Places must be between 1 and 10000.")])
    requires_id = BooleanField("Port security needs ID data (nationality, document number, date of birth)")
    id_deadline = DateField("Deadline for ID data", validators=[Optional()])

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def validate_day(self, field):
        if field.data and not (self.meeting.start_date <= field.data <= self.meeting.end_date):
            raise ValidationError(service.outside_dates_message(self.meeting))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("The visit must end after it starts.")

    def validate_requires_id(self, field):
        # Checked here because Optional() stops the id_deadline chain when it is empty.
        if field.data and not "".join(self.id_deadline.raw_data or []).strip():
            raise ValidationError("Give the date by which delegates must send their ID data.")

    def validate_id_deadline(self, field):
        if field.data and self.day.data and field.data > self.day.data:
            raise ValidationError("The ID deadline cannot be after the visit.")
