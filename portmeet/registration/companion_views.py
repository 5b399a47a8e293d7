"""The delegate's accompanying persons, from their own page: add, change, remove (routes of the
registration blueprint, behind the same private link)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portmeet.accounts.forms import EmptyForm
from portmeet.extensions import db
from portmeet.registration import companions, mail, waitlist
from portmeet.registration.errors import RegistrationError
from portmeet.registration.forms import CompanionForm
from portmeet.registration.models import Registration, RegistrationStatus
from portmeet.registration.views import _form_status, _own_page, _registration_or_404, bp


def _changes_refused(registration: Registration, token: str):
    """The own page with the reason, when the delegate can no longer change their companions; else None."""
    refused = request.method == "POST"
    if registration.status == RegistrationStatus.cancelled:
        flash(_("This registration was cancelled; it can no longer be changed."), "error")
        return _own_page(registration, token, 409 if refused else 200)
    if registration.meeting.registration_state() != "open":
        flash(_("Registration for this meeting is closed, so changes can no longer be made here; "
                "please write to the organisers."), "error")
        return _own_page(registration, token, 403 if refused else 200)
    return None


def _form_page(form: CompanionForm, registration: Registration, token: str, companion=None):
    return render_template(
        "registration/companion_form.html", form=form, registration=registration, meeting=registration.meeting,
        token=token, companion=companion, counts=waitlist.visit_counts(registration.meeting),
    ), _form_status(form)


def _saved(registration: Registration, token: str, promotions: waitlist.Promotions, message: str):
    mail.queue_promotions(promotions, skip=registration)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("registration.show", token=token, _anchor="companions"), 303)


@bp.route("/registrations/<token>/companions/new", methods=["GET", "POST"])
def companion_new(token: str):
    registration = _registration_or_404(token)
    refusal = _changes_refused(registration, token)
    if refusal is not None:
        return refusal
    form = CompanionForm(meeting=registration.meeting, registration=registration)
    if form.validate_on_submit():
        try:
            companion, promotions = companions.add_companion(registration, form.companion_data())
        except RegistrationError as error:
            db.session.rollback()
            form.form_errors = [*form.form_errors, error.message]
        else:
            return _saved(registration, token, promotions,
                          _("%(name)s is added to your registration.", name=companion.full_name))
    return _form_page(form, registration, token)


@bp.route("/registrations/<token>/companions/<int:companion_id>/edit", methods=["GET", "POST"])
def companion_edit(token: str, companion_id: int):
    registration = _registration_or_404(token)
    companion = companions.companion_of(registration, companion_id)
    if companion is None:
        abort(404)
    refusal = _changes_refused(registration, token)
    if refusal is not None:
        return refusal
    form = CompanionForm(obj=companion if request.method == "GET" else None, meeting=registration.meeting,
                         registration=registration, companion=companion)
    if request.method == "GET":
        # As for the delegate: ID data is never printed back; empty fields keep what was given.
        form.nationality.data = form.id_number.data = form.date_of_birth.data = None
        form.diets.data = [diet.value for diet in companion.diet_list]
        form.visits.data = [booking.visit_id for booking in companion.bookings]
        form.signups.data = [signup.session_id for signup in companion.signups]
    if form.validate_on_submit():
        try:
            promotions = companions.update_companion(companion, form.companion_data())
        except RegistrationError as error:
            db.session.rollback()
            form.form_errors = [*form.form_errors, error.message]
        else:
            return _saved(registration, token, promotions, _("Your changes are saved."))
    return _form_page(form, registration, token, companion)


@bp.post("/registrations/<token>/companions/<int:companion_id>/remove")
def companion_remove(token: str, companion_id: int):
    registration = _registration_or_404(token)
    companion = companions.companion_of(registration, companion_id)
    if companion is None:
        abort(404)
    refusal = _changes_refused(registration, token)
    if refusal is not None:
        return refusal
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = companion.full_name
    promotions = companions.remove_companion(companion)
    return _saved(registration, token, promotions,
                  _("%(name)s is removed; their places have gone to the next in line.", name=name))
