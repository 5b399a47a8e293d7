"""Forms for meetings, programme sessions and field visits (field names are the public contract)."""
import re
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from portmeet.forms_common import CountryField, IntegerField, StaticSelect
from portmeet.i18n import LANGUAGES
from portmeet.labels import choices
from portmeet.meetings import maps, service, slides
from portmeet.meetings.content import translation_form_data
from portmeet.meetings.models import SIGN_UP_KINDS, MeetingStatus, SessionKind, Transport

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TIMEZONES = sorted(available_timezones())
TIMEZONE_NAMES = frozenset(TIMEZONES)  # available_timezones() reads the zone files' folders at each call
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class TranslatedForm(FlaskForm):
    """Title and description in each language of the site, beside the main text (the meeting's default
    language); see meetings/content.py."""

    title_en = StringField(_l("Title (%(language)s)", language="English"), validators=[Optional(), Length(max=200)])
    description_en = TextAreaField(_l("Description (%(language)s)", language="English"),
                                   validators=[Optional(), Length(max=10000)])
    title_fr = StringField(_l("Title (%(language)s)", language="Français"), validators=[Optional(), Length(max=200)])
    description_fr = TextAreaField(_l("Description (%(language)s)", language="Français"),
                                   validators=[Optional(), Length(max=10000)])
    title_es = StringField(_l("Title (%(language)s)", language="Español"), validators=[Optional(), Length(max=200)])
    description_es = TextAreaField(_l("Description (%(language)s)", language="Español"),
                                   validators=[Optional(), Length(max=10000)])

    def fill_translations(self, item) -> None:
        """Show an item's stored translations in the edit form."""
        for name, text in translation_form_data(item).items():
            self[name].data = text


class MeetingForm(TranslatedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    edition = IntegerField(_l("Edition number"), validators=[Optional(), NumberRange(min=1, max=1000)])
    slug = StringField(
        _l("Address name (slug)"),
        description=_l("Lower-case letters, digits and hyphens; left empty, it is made from the title."),
        # No Optional(): it would skip validate_slug, and an empty slug is made from the title there.
        validators=[Length(max=80)],
    )
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = CountryField(_l("Country"), validators=[DataRequired(message=_l("Choose a country."))])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_latitude = maps.latitude_field(_l("Venue latitude"))
    venue_longitude = maps.longitude_field(_l("Venue longitude"))
    start_date = DateField(_l("First day"), validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD)."))])
    end_date = DateField(_l("Last day"), validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD)."))])
    timezone = SelectField(_l("Time zone"), choices=[(tz, tz) for tz in TIMEZONES], default="Europe/Paris",
                           validate_choice=False, validators=[DataRequired()], widget=StaticSelect())
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    series = StringField(_l("Series"), validators=[Optional(), Length(max=200)],
                         description=_l("The name shared by every edition of the series: the home page groups the "
                                        "editions under it."))
    host_organisation = StringField(_l("Host organisation"), validators=[Optional(), Length(max=200)])
    partners = TextAreaField(_l("Partners"), validators=[Optional(), Length(max=2000)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    registration_opens = DateTimeLocalField(_l("Registration opens"), format=DATETIME_FORMAT, validators=[Optional()])
    registration_closes = DateTimeLocalField(_l("Registration closes"), format=DATETIME_FORMAT, validators=[Optional()])
    capacity = IntegerField(_l("Delegate capacity"), default=80,
                            validators=[InputRequired(message=_l("Enter the number of delegates.")),
                                        NumberRange(min=1, max=10000, message=_l("Capacity must be between 1 and 10000."))])
    status = SelectField(_l("Status"), choices=choices(MeetingStatus), default="draft")
    language = SelectField(_l("Default language"), choices=list(LANGUAGES.items()), default="en",
                           description=_l("Used for visitors whose browser asks for none of ours."))

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def validate_slug(self, field):
        if field.data and not re.match(SLUG_PATTERN, field.data):
            raise ValidationError(_("Use lower-case letters, digits and single hyphens only."))
        slug = field.data or service.slugify(self.title.data or "")
        if not slug:
            raise ValidationError(_("Enter an address name."))
        if not service.slug_is_free(slug, exclude=self.meeting):
            raise ValidationError(_("The address name “%(slug)s” is already taken; choose another.", slug=slug))

    def validate_timezone(self, field):
        if field.data not in TIMEZONE_NAMES:
            raise ValidationError(_("Choose a time zone from the list (e.g. Europe/Madrid)."))

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) & maps.check_pair(self.venue_latitude, self.venue_longitude)

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def validate_registration_closes(self, field):
        if not field.data:
            return
        if self.end_date.data and field.data.date() > self.end_date.data:
            raise ValidationError(_("Registration must close by the end of the meeting."))
        if self.registration_opens.data and field.data <= self.registration_opens.data:
            raise ValidationError(_("Registration must close after it opens."))

    def validate_status(self, field):
        if self.meeting is None and field.data == MeetingStatus.published.value:
            raise ValidationError(_("A new meeting starts as a draft: add its programme, then publish it."))
        if self.meeting is not None:
            error = service.status_change_error(self.meeting.status, MeetingStatus(field.data))
            if error:
                raise ValidationError(error)


class SessionForm(TranslatedForm):
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Choose a day of the meeting."))])
    start_time = TimeField(_l("Start"), validators=[DataRequired(message=_l("Enter a time (HH:MM)."))])
    end_time = TimeField(_l("End"), validators=[DataRequired(message=_l("Enter a time (HH:MM)."))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(SessionKind), default="plenary")
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    speakers = TextAreaField(
        _l("Speakers"),
        description=_l("One per line: Name, Organisation, country code (e.g. Ana Ruiz, Port of Bilbao, ES)."),
        validators=[Optional(), Length(max=5000)],
    )
    slides = FileField(_l("Slides (PDF, up to 20 MB)"), render_kw={"accept": "application/pdf,.pdf"},
                       description=_l("Kept on this server and offered as a download; a new file replaces the old one."))
    remove_slides = BooleanField(_l("Remove the uploaded slides"))
    slides_url = StringField(_l("Or a link to the slides"), validators=[Optional(), Length(max=500)],
                             description=_l("https://… — shown as a link; this server never opens it."))
    slides_public = BooleanField(_l("Everyone may see the slides (otherwise registered delegates only, "
                                    "through their private link)"))
    capacity = IntegerField(_l("Places for sign-up"), validators=[
        Optional(), NumberRange(min=1, max=10000, message=_l("Places must be between 1 and 10000."))],
        description=_l("Meals and social events only. Left empty, there is no sign-up and every confirmed "
                       "delegate is counted; with places, delegates sign up on the registration form, "
                       "with a waitlist when it is full."))
    notify = BooleanField(_l("E-mail the confirmed delegates if the session's day, times or room change"))

    def __init__(self, *args, meeting, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.session = session
        self.parsed_speakers: list[service.SpeakerLine] = []
        self.slides_upload: bytes | None = None
        self.slides_filename = ""

    def validate_slides(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read(slides.MAX_SLIDES_BYTES + 1)
        try:
            slides.check_pdf(data)
        except slides.SlidesError as error:
            raise ValidationError(str(error)) from None
        self.slides_upload, self.slides_filename = data, upload.filename

    def validate_slides_url(self, field):
        try:
            field.data = slides.check_link(field.data)
        except slides.SlidesError as error:
            raise ValidationError(str(error)) from None

    def validate_day(self, field):
        if field.data and not (self.meeting.start_date <= field.data <= self.meeting.end_date):
            raise ValidationError(service.outside_dates_message(self.meeting))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_("The session must end after it starts."))
        if self.day.data and self.start_time.data and field.data and self.room.data:
            clash = service.room_clash(self.meeting, self.day.data, self.start_time.data, field.data,
                                       self.room.data, exclude=self.session)
            if clash is not None:
                raise ValidationError(_(
                    "%(room)s is already used by “%(title)s” (%(start)s–%(end)s) at that time.",
                    room=clash.room, title=clash.title, start=f"{clash.start_time:%H:%M}", end=f"{clash.end_time:%H:%M}",
                ))

    def validate_title(self, field):
        limit = current_app.config["MAX_SESSIONS_PER_MEETING"]
        if self.session is None and len(self.meeting.sessions) >= limit:
            raise ValidationError(_("A meeting can have at most %(num)s sessions; delete one before adding another.",
                                    num=limit))

    def validate_capacity(self, field):
        if field.data is not None and self.kind.data not in {kind.value for kind in SIGN_UP_KINDS}:
            raise ValidationError(_("Only a meal or a social event takes sign-ups: leave the places empty, "
                                    "or choose the kind “Meal” or “Social”."))

    def validate_speakers(self, field):
        try:
            self.parsed_speakers = service.parse_speakers(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class VisitForm(TranslatedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Choose a day of the meeting."))])
    start_time = TimeField(_l("Start"), validators=[DataRequired(message=_l("Enter a time (HH:MM)."))])
    end_time = TimeField(_l("End"), validators=[DataRequired(message=_l("Enter a time (HH:MM)."))])
    meeting_point = StringField(_l("Meeting point"), validators=[Optional(), Length(max=200)])
    latitude = maps.latitude_field(_l("Meeting point latitude"))
    longitude = maps.longitude_field(_l("Meeting point longitude"))
    transport = SelectField(_l("Transport"), choices=choices(Transport), default="walk")
    capacity = IntegerField(_l("Places"), default=20,
                            validators=[InputRequired(message=_l("Enter the number of places.")),
                                        NumberRange(min=1, max=10000, message=_l("Places must be between 1 and 10000."))])
    requires_id = BooleanField(_l("Port security needs ID data (nationality, document number, date of birth)"))
    id_deadline = DateField(_l("Deadline for ID data"), validators=[Optional()])
    notify = BooleanField(_l("E-mail the delegates booked or waiting on this visit if its day, times, meeting "
                             "point or transport change"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.is_new = kwargs.get("obj") is None

    def validate_title(self, field):
        limit = current_app.config["MAX_VISITS_PER_MEETING"]
        if self.is_new and len(self.meeting.visits) >= limit:
            raise ValidationError(_("A meeting can have at most %(num)s field visits; delete one before adding "
                                    "another.", num=limit))

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) & maps.check_pair(self.latitude, self.longitude)

    def validate_day(self, field):
        if field.data and not (self.meeting.start_date <= field.data <= self.meeting.end_date):
            raise ValidationError(service.outside_dates_message(self.meeting))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_("The visit must end after it starts."))

    def validate_requires_id(self, field):
        # Checked here because Optional() stops the id_deadline chain when it is empty.
        if field.data and not "".join(self.id_deadline.raw_data or []).strip():
            raise ValidationError(_("Give the date by which delegates must send their ID data."))

    def validate_id_deadline(self, field):
        if field.data and self.day.data and field.data > self.day.data:
            raise ValidationError(_("The ID deadline cannot be after the visit."))


class CopyForm(FlaskForm):
    """Copy a meeting into its next edition (field names are the public contract)."""

    title = StringField(_l("Title of the new edition"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Address name (slug)"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Lower-case letters, digits and hyphens."))
    start_date = DateField(_l("First day of the new edition"),
                           validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD)."))],
                           description=_l("Every date of the programme, the field visits and the registration window "
                                          "moves by the same number of days."))

    def validate_slug(self, field):
        if not re.match(SLUG_PATTERN, field.data or ""):
            raise ValidationError(_("Use lower-case letters, digits and single hyphens only."))
        if not service.slug_is_free(field.data):
            raise ValidationError(_("The address name “%(slug)s” is already taken; choose another.", slug=field.data))
