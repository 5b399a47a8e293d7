"""Sign-in and account forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class AddHostForm(FlaskForm):
    email = EmailField(_l("E-mail of an existing account"), validators=[DataRequired(), Email(), Length(max=254)])


class CreateUserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    organiser = BooleanField(_l("Organiser (manages every meeting)"))


class EmptyForm(FlaskForm):
    """A CSRF-protected POST button."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=8, max=200, message=_l("The password must have at least 8 characters."))])


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=8, max=200, message=_l("The password must have at least 8 characters."))])
