"""Sign-in, sign-out, accounts and a meeting's hosts."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portmeet.accounts import service, sessions
from portmeet.accounts.forms import (
    AddHostForm,
    CreateUserForm,
    EmptyForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
)
from portmeet.accounts.models import User
from portmeet.accounts.permissions import get_managed_meeting_or_404, require_organiser
from portmeet.extensions import db, login_manager
from portmeet.urls import safe_next

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to open this page.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        db.session.commit()  # the audit entry of the attempt, failed or not
        if user is not None:
            sessions.start(user)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("meetings.manage_index"), 303)
        form.password.errors.append(_("Wrong e-mail or password."))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            service.sign_out(current_user)
            db.session.commit()
        sessions.end()
        flash(_("Signed out."), "success")
    return redirect(url_for("meetings.index"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.new_password.data)
        except service.AccountError as error:
            db.session.rollback()
            form.current_password.errors = [*form.current_password.errors, str(error)]
        else:
            db.session.commit()
            sessions.start(current_user._get_current_object())  # this browser stays signed in; every other session has ended
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("meetings.manage_index"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not an account has this address.
        flash(_("If an account has the address %(email)s, a link to choose a new password is on its way to it; "
                "it works once, for one hour.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password_form(token: str):
    reset = service.reset_by_token(token)
    if reset is None:
        return render_template("accounts/reset_form.html", form=None), 404
    form = PasswordResetForm()
    if form.validate_on_submit():
        service.reset_password(reset, form.new_password.data)
        db.session.commit()
        sessions.end()
        flash(_("Your password is changed; sign in with it."), "success")
        return redirect(url_for("accounts.login"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset_form.html", form=form), status


@bp.post("/manage/accounts/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int):
    require_organiser()
    user = db.session.get(User, user_id) if user_id < 2**31 else None
    if user is None:
        abort(404)
    if EmptyForm().validate_on_submit() and user.id != current_user.id:
        service.deactivate(user)
        db.session.commit()
        flash(_("%(name)s can no longer sign in.", name=user.name), "success")
    return redirect(url_for("accounts.accounts"), 303)


@bp.route("/manage/accounts", methods=["GET", "POST"])
@login_required
def accounts():
    require_organiser()
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.name.data, form.password.data, form.organiser.data)
        except service.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account created for %(name)s.", name=user.name), "success")
            return redirect(url_for("accounts.accounts"), 303)
    users = db.session.scalars(db.select(User).order_by(User.name)).all()
    status = 400 if form.errors else 200
    return render_template("accounts/accounts.html", form=form, users=users, button_form=EmptyForm()), status


@bp.post("/manage/meetings/<slug>/hosts")
@login_required
def add_host(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    require_organiser()
    form = AddHostForm()
    if form.validate_on_submit():
        try:
            user = service.add_host(meeting, form.email.data)
        except service.AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s now hosts this meeting.", name=user.name), "success")
    else:
        flash(_("Enter the e-mail address of an existing account."), "error")
    return redirect(url_for("meetings.manage_meeting", slug=slug), 303)


@bp.post("/manage/meetings/<slug>/hosts/<int:user_id>/remove")
@login_required
def remove_host(slug: str, user_id: int):
    meeting = get_managed_meeting_or_404(slug)
    require_organiser()
    if EmptyForm().validate_on_submit():
        service.remove_host(meeting, user_id)
        db.session.commit()
        flash(_("Host removed."), "success")
    return redirect(url_for("meetings.manage_meeting", slug=slug), 303)
