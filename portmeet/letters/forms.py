"""Forms of the letters module: the meeting's letterhead, and the staff's decision on a visa letter."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from portmeet.letters import images

IMAGE_ACCEPT = {"accept": "image/png,image/jpeg"}


class LetterheadForm(FlaskForm):
    organisation = StringField(_l("Inviting organisation"), validators=[Optional(), Length(max=200)])
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=1000)],
                            description=_l("As printed under the organisation's name; one line per line."))
    signatory_name = StringField(_l("Signed by (name)"), validators=[Optional(), Length(max=120)])
    signatory_title = StringField(_l("Signatory's position"), validators=[Optional(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose of the meeting"), validators=[Optional(), Length(max=2000)],
                            description=_l("One or two sentences for consulates; left empty, the meeting's "
                                           "description is used."))
    logo = FileField(_l("Logo (PNG or JPEG, up to 1 MB)"), render_kw=IMAGE_ACCEPT)
    remove_logo = BooleanField(_l("Remove the logo"))
    signature = FileField(_l("Signature image (PNG or JPEG, up to 1 MB)"), render_kw=IMAGE_ACCEPT)
    remove_signature = BooleanField(_l("Remove the signature image"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.images: dict[str, bytes] = {}

    def _image(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read(images.MAX_IMAGE_BYTES + 1)
        try:
            images.clean_image(data)
        except images.ImageError as error:
            raise ValidationError(str(error)) from None
        self.images[field.name] = data

    def validate_logo(self, field):
        self._image(field)

    def validate_signature(self, field):
        self._image(field)


class VisaDecisionForm(FlaskForm):
    decision = SelectField(choices=[("approve", _l("Approve")), ("decline", _l("Decline"))])
