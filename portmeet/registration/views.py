"""Delegate registration pages (register, private link, edit, cancel, re-send) and the manage side."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portmeet import audit
from portmeet.accounts.forms import EmptyForm
from portmeet.accounts.permissions import (
    get_managed_meeting_or_404,
    get_meeting_item_or_404,
    get_public_meeting_or_404,
)
from portmeet.countries import country_name
from portmeet.csv_export import csv_text
from portmeet.dbtx import commit_keeping_objects
from portmeet.extensions import db
from portmeet.i18n import current_language
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.letters.certificates import certificate_available
from portmeet.letters.service import letter_available
from portmeet.meetings.slides import presentations
from portmeet.questions.service import answer_lines, answers_by_registration, questions_of
from portmeet.meetings.service import public_meetings
from portmeet.registration import companions, form_page, links, listing, outbox, overrides, privacy, service, waitlist
from portmeet.registration.forms import (
    PublicRegistrationForm,
    RegistrationFilterForm,
    RegistrationForm,
    ResendLinkForm,
    StaffPickForm,
)
from portmeet.registration.models import Registration, RegistrationStatus, hash_token
from portmeet.timeutil import utcnow

bp = Blueprint("registration", __name__)
bp.after_app_request(outbox.send_after_response)
bp.add_app_template_global(form_page.places_hint, "places_hint")


def _form_status(form) -> int:
    """400 for a submitted form with errors, 200 for a fresh one."""
    return 400 if request.method == "POST" and form.errors else 200


class _LinkNotValid(Exception):
    """The private link matches no registration (mistyped, or replaced by a newer one)."""


def _registration_or_404(token: str) -> Registration:
    registration = service.registration_by_token(token)
    if registration is None:
        raise _LinkNotValid()
    return registration


@bp.errorhandler(_LinkNotValid)
def link_not_valid(_error):
    """Instead of a bare "nothing here": say the link no longer works and offer to send a new one."""
    upcoming, _past = public_meetings(utcnow().date())
    return render_template("registration/link_not_valid.html", meetings=upcoming), 404


def _fill_form_from(form: RegistrationForm, registration: Registration, with_id_data: bool) -> None:
    form.category.data = registration.category.value
    form.visits.data = [booking.visit_id for booking in registration.bookings]
    form.signups.data = [signup.session_id for signup in registration.signups]
    form.diets.data = [diet.value for diet in registration.diet_list]
    form.id_type.data = registration.id_type.value if registration.id_type else ""
    if not with_id_data:
        # The delegate's pages never print ID data back; empty fields keep what was given.
        form.nationality.data = form.id_number.data = form.date_of_birth.data = None
        form.id_type.data, form.id_expiry.data, form.id_name.data = "", None, None


# --- the delegate's side ----------------------------------------------------------------------------

@bp.route("/meetings/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    kept_page = form_page.servable()  # a stranger opening the form: its page is kept rendered
    # Otherwise the form lists the visits: loaded with the meeting, in one query.
    meeting = get_public_meeting_or_404(slug, with_visits=not kept_page)
    state = meeting.registration_state()
    if state != "open":
        status = 403 if request.method == "POST" else 200
        return render_template("registration/closed.html", meeting=meeting, state=state), status
    if kept_page:
        return form_page.serve(meeting, lambda **context: _form_page(meeting, PublicRegistrationForm(meeting=meeting),
                                                                      **context))
    form = PublicRegistrationForm(meeting=meeting)
    if form.validate_on_submit():
        try:
            registration, token = service.register(meeting, {**form.registration_data(), "language": current_language()},
                                                   confirm_after_commit=True)
        except service.AlreadyRegistered:
            # The address is registered (found under the meeting's lock): the same neutral answer as for a new
            # address, and the link goes by e-mail to its owner (never to this browser), so the form reveals
            # nobody's registration.
            db.session.rollback()
            service.resend_link(meeting, form.email.data)
            db.session.commit()
            return render_template("registration/check_mail.html", meeting=meeting, email=form.email.data)
        except service.RegistrationError as error:
            db.session.rollback()
            form.add_refusal(error)
        else:
            # The locks go with this commit; the rows just written stay in memory as they were decided, so the
            # message below is written from them without loading anything again (the e-mail's text is written by
            # the sender, from the decision queued with it).
            commit_keeping_objects()
            waiting = registration.status == RegistrationStatus.waitlisted
            _flash_outcome(registration.first_name, registration.email,
                           waitlist.registration_position(registration) if waiting else None)
            return redirect(url_for("registration.show", token=token), 303)
    return _form_page(meeting, form, full=waitlist.meeting_is_full(meeting)), _form_status(form)


def _form_page(meeting: Meeting, form: PublicRegistrationForm, **context) -> str:
    """The form page; the kept page (form_page.serve) gives its own places (holes) and no counts."""
    form.show_empty_rows()
    if "counts" not in context:
        context.update(counts=waitlist.visit_counts(meeting),
                       signup_counts=waitlist.session_counts(meeting, form.signup_sessions))
    return render_template("registration/register.html", form=form, meeting=meeting, **context)


def _flash_outcome(name: str, email: str, position: int | None) -> None:
    """Say what the delegate got: a place, or (`position`) a place in line; never "registered" for someone
    waiting."""
    if position is None:
        flash(_("Thank you, %(name)s: you have a place at the meeting. We have sent this page's private address "
                "to %(email)s; keep it to change or cancel your registration.", name=name, email=email), "success")
    else:
        flash(_("Thank you, %(name)s. The meeting is full, so you are on its waiting list, number %(position)s; "
                "we will write to %(email)s as soon as a place is yours. This page's private address is on its "
                "way there too.", name=name, position=position, email=email), "warning")


@bp.route("/meetings/<slug>/resend-link", methods=["GET", "POST"])
def resend_link(slug: str):
    meeting = get_public_meeting_or_404(slug)
    form = ResendLinkForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        service.resend_link(meeting, form.email.data)
        db.session.commit()
        # The same answer whether or not the address is registered: the page reveals nobody.
        flash(_("If %(email)s is registered for this meeting, a new private link is on its way to it. "
                "Links sent earlier keep working.", email=form.email.data), "success")
        return redirect(url_for("registration.resend_link", slug=slug), 303)
    return render_template("registration/resend_link.html", form=form, meeting=meeting), _form_status(form)


def _own_page(registration: Registration, token: str, status: int = 200):
    return render_template(
        "registration/show.html",
        registration=registration,
        meeting=registration.meeting,
        token=token,
        position=waitlist.registration_position(registration),
        picks=waitlist.picks_with_positions(registration),
        signups=waitlist.picks_with_positions(registration, waitlist.SESSIONS),
        companion_picks=companions.picks_of(registration),
        max_companions=companions.MAX_COMPANIONS,
        masked=service.masked,
        can_edit=registration.meeting.registration_state() == "open",
        can_cancel=not service.meeting_has_ended(registration.meeting),
        presentations=presentations(registration.meeting),
        letter_available=letter_available(registration),
        certificate_available=certificate_available(registration),
        answers=answer_lines(registration, current_language()),
        links=links.live_links(registration),
        this_link=hash_token(token),
        button_form=EmptyForm(),
    ), status


@bp.get("/registrations/<token>")
def show(token: str):
    return _own_page(_registration_or_404(token), token)


@bp.post("/registrations/<token>/links/<int:link_id>/revoke")
def revoke_link(token: str, link_id: int):
    """The delegate revokes one of their private links (e.g. one forwarded by mistake)."""
    registration = _registration_or_404(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    link = links.revoke(registration, link_id)
    if link is None:
        abort(404)
    audit.record(registration.meeting, "registration.link_revoked", audit.DELEGATE, subject=registration)
    db.session.commit()
    if link.token_hash == hash_token(token):
        flash(_("This link no longer works. Use another link you received, or ask for a new one."), "success")
        return redirect(url_for("registration.resend_link", slug=registration.meeting.slug), 303)
    flash(_("That link no longer works."), "success")
    return redirect(url_for("registration.show", token=token), 303)


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    registration = _registration_or_404(token)
    meeting = registration.meeting
    refused = request.method == "POST"
    if registration.status == RegistrationStatus.cancelled:
        flash(_("This registration was cancelled; it can no longer be changed."), "error")
        return _own_page(registration, token, 409 if refused else 200)
    if meeting.registration_state() != "open":
        flash(_("Registration for this meeting is closed, so changes can no longer be made here; "
                "please write to the organisers."), "error")
        return _own_page(registration, token, 403 if refused else 200)
    form = RegistrationForm(obj=registration if request.method == "GET" else None,
                            meeting=meeting, registration=registration)
    if request.method == "GET":
        _fill_form_from(form, registration, with_id_data=False)
    if form.validate_on_submit():
        try:
            service.update_registration(registration, {**form.registration_data(), "language": current_language()})
        except service.RegistrationError as error:
            db.session.rollback()
            form.add_refusal(error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.show", token=token), 303)
    return render_template(
        "registration/edit.html", form=form, meeting=meeting, registration=registration, token=token,
        counts=waitlist.visit_counts(meeting), signup_counts=waitlist.session_counts(meeting, form.signup_sessions), masked=service.masked,
        full=registration.status == RegistrationStatus.waitlisted,
    ), _form_status(form)


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    meeting = registration.meeting
    if registration.status == RegistrationStatus.cancelled:
        flash(_("This registration was cancelled; it can no longer be changed."), "error")
        return _own_page(registration, token, 409 if request.method == "POST" else 200)
    if service.meeting_has_ended(meeting):
        abort(403)
    form = EmptyForm()
    if form.validate_on_submit():
        service.cancel_registration(registration)
        db.session.commit()
        flash(_("Your registration is cancelled. Your places have gone to the next delegates in line."), "success")
        return redirect(url_for("registration.show", token=token), 303)
    if request.method == "POST":
        abort(400)
    return render_template("registration/cancel.html", form=form, registration=registration, meeting=meeting,
                           token=token)


# --- the manage side ----------------------------------------------------------------------------------

@bp.get("/manage/meetings/<slug>/registrations")
@login_required
def manage_list(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    filters_form = RegistrationFilterForm(request.args, meeting=meeting)
    filters = filters_form.filters()
    if filters_form.visit.errors:  # not a visit id at all (e.g. beyond any database integer)
        abort(400)
    registrations = listing.registrations_of(meeting, filters)
    registration_positions, booking_positions = waitlist.waitlist_positions(meeting)
    return render_template(
        "registration/manage_list.html",
        meeting=meeting,
        filters_form=filters_form,
        registrations=registrations,
        counts={status.value: number for status, number in listing.status_counts(meeting).items()},
        visit_counts=waitlist.visit_counts(meeting),
        registration_positions=registration_positions,
        booking_positions=booking_positions,
        query=request.query_string.decode("ascii", "replace"),
    )


CSV_COLUMNS = (
    "id", "status", "waitlist position", "first name", "last name", "badge name", "e-mail", "organisation",
    "job title", "country", "country name", "category", "phone", "dietary needs", "accessibility needs",
    "public list", "field visits", "registered at (UTC)",
    "checked in at (UTC)", "cancelled at (UTC)", "accompanying persons",
)


@bp.get("/manage/meetings/<slug>/registrations.csv")
@login_required
def manage_csv(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    filters_form = RegistrationFilterForm(request.args, meeting=meeting)
    filters = filters_form.filters()
    if filters_form.visit.errors:  # not a visit id at all (e.g. beyond any database integer)
        abort(400)
    registrations = listing.registrations_of(meeting, filters)
    audit.record(meeting, "export.registrations_csv",
                 details={"rows": len(registrations), **{k: v for k, v in vars(filters).items() if v}})
    db.session.commit()
    registration_positions, booking_positions = waitlist.waitlist_positions(meeting)
    questions = questions_of(meeting)
    answers = answers_by_registration(meeting)
    rows = []
    for r in registrations:
        visits = "; ".join(
            f"{b.visit.title} ({b.status.value}{' ' + str(booking_positions.get(b.id)) if b.id in booking_positions else ''})"
            for b in sorted(r.bookings, key=lambda b: (b.visit.day, b.visit.start_time))
        )
        rows.append((
            r.id, r.status.value, registration_positions.get(r.id, ""), r.first_name, r.last_name, r.badge_name,
            r.email, r.organisation, r.job_title, r.country, country_name(r.country), r.category.value, r.phone,
            r.dietary_summary, r.accessibility, "yes" if r.consent_list else "no", visits,
            r.created_at.isoformat(timespec="seconds"),
            r.checked_in_at.isoformat(timespec="seconds") if r.checked_in_at else "",
            r.cancelled_at.isoformat(timespec="seconds") if r.cancelled_at else "",
            "; ".join(companion.full_name for companion in r.companions),
            # One column per registration question, answers as stored (choices in the meeting's language).
            *("; ".join(answers.get(r.id, {}).get(q.id, [])) for q in questions),
        ))
    return Response(csv_text((*CSV_COLUMNS, *(q.label for q in questions)), rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{meeting.slug}-registrations.csv"',
    })


def _staff_page(meeting, registration, pick_form=None, status: int = 200):
    _log_personal_data_view(meeting, registration, "registration")
    counts = waitlist.visit_counts(meeting)
    return render_template(
        "registration/manage_detail.html",
        meeting=meeting,
        registration=registration,
        visa_form=EmptyForm(),
        position=waitlist.registration_position(registration),
        picks=waitlist.picks_with_positions(registration),
        signups=waitlist.picks_with_positions(registration, waitlist.SESSIONS),
        companion_picks=companions.picks_of(registration),
        history=audit.history_of(registration),
        answers=answer_lines(registration, current_language(), staff=True),
        pick_form=pick_form or StaffPickForm(meeting=meeting),
        unpicked=[v for v in meeting.visits if v.id not in {b.visit_id for b in registration.bookings}],
        counts=counts,
    ), status


@bp.get("/manage/meetings/<slug>/registrations/<int:registration_id>")
@login_required
def manage_detail(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    return _staff_page(meeting, registration)


@bp.post("/manage/meetings/<slug>/registrations/<int:registration_id>/picks")
@login_required
def manage_pick(slug: str, registration_id: int):
    """Staff overrides: book on a visit (over capacity when asked), move up from its waitlist, remove."""
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    form = StaffPickForm(meeting=meeting)
    if form.validate_on_submit():
        visit = db.session.get(FieldVisit, form.visit.data)
        try:
            if form.action.data == "remove":
                overrides.remove_pick(registration, visit)
            else:
                overrides.book_on_visit(registration, visit, over_capacity_ok=bool(form.over_capacity.data))
        except service.RegistrationError as error:
            db.session.rollback()
            form.form_errors = [*form.form_errors, error.message]
        else:
            db.session.commit()
            flash(_("Saved; %(name)s is told by e-mail.", name=registration.first_name), "success")
            return redirect(url_for("registration.manage_detail", slug=slug, registration_id=registration.id), 303)
    return _staff_page(meeting, registration, form, 400)


def _log_personal_data_view(meeting, registration: Registration, page: str) -> None:
    """A staff page about to show a delegate's ID data or needs: the view goes to the audit trail."""
    if privacy.record_view(meeting, registration, with_id_data=True, page=page):
        db.session.commit()


@bp.route("/manage/meetings/<slug>/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    detail_url = url_for("registration.manage_detail", slug=slug, registration_id=registration.id)
    if registration.status == RegistrationStatus.cancelled:
        flash(_("This registration was cancelled; it can no longer be changed."), "error")
        return redirect(detail_url, 303)
    form = RegistrationForm(obj=registration if request.method == "GET" else None,
                            meeting=meeting, registration=registration, by_organiser=True)
    if request.method == "GET":
        _fill_form_from(form, registration, with_id_data=True)
        _log_personal_data_view(meeting, registration, "registration edit")
    if form.validate_on_submit():
        try:
            service.update_registration(registration, form.registration_data(), by_organiser=True)
        except service.RegistrationError as error:
            db.session.rollback()
            form.add_refusal(error)
        else:
            db.session.commit()
            flash(_("Registration saved; the delegate has been told by e-mail."), "success")
            return redirect(detail_url, 303)
    return render_template(
        "registration/manage_edit.html", form=form, meeting=meeting, registration=registration,
        counts=waitlist.visit_counts(meeting), signup_counts=waitlist.session_counts(meeting, form.signup_sessions),
    ), _form_status(form)


@bp.route("/manage/meetings/<slug>/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def manage_cancel(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    detail_url = url_for("registration.manage_detail", slug=slug, registration_id=registration.id)
    form = EmptyForm()
    if form.validate_on_submit():
        if service.cancel_registration(registration, by_organiser=True):
            db.session.commit()
            flash(_("Registration cancelled; the delegate has been told by e-mail."), "success")
        return redirect(detail_url, 303)
    if request.method == "POST":
        abort(400)
    return render_template("registration/manage_cancel.html", form=form, meeting=meeting, registration=registration)


@bp.get("/manage/meetings/<slug>/visits/<int:visit_id>/")
@login_required
def visit_roster(slug: str, visit_id: int):
    meeting = get_managed_meeting_or_404(slug)
    visit = get_meeting_item_or_404(FieldVisit, visit_id, meeting)
    return render_template("registration/visit_roster.html", meeting=meeting, roster=listing.visit_roster(visit))

