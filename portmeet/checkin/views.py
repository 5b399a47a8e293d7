"""The check-in desk pages: search, the badge QR page, arrival buttons, walk-in registration."""
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portmeet.accounts.permissions import get_managed_meeting_or_404, get_meeting_item_or_404
from portmeet.checkin import service
from portmeet.checkin.forms import ArrivalForm, SearchForm, WalkInForm
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration import privacy
from portmeet.registration.models import Registration, RegistrationStatus, VisitBooking
from portmeet.checkin.tokens import checkin_token, registration_by_checkin_token
from portmeet.registration.service import RegistrationError, register
from portmeet.registration.waitlist import registration_position, visit_counts

bp = Blueprint("checkin", __name__, url_prefix="/manage/meetings/<slug>/checkin")


def _page_context(meeting: Meeting) -> dict:
    return dict(meeting=meeting, counts=service.arrival_counts(meeting),
                local_time=partial(service.local_time, meeting), needs_confirmation=service.needs_confirmation,
                checkin_token=checkin_token, walk_in_url=url_for("checkin.walk_in", slug=meeting.slug))


@bp.get("")
@login_required
def desk(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = SearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    matches, total = service.search(meeting, query)
    return render_template(
        "checkin/desk.html", form=form, query=query, matches=matches, total=total,
        recent=[] if query else service.recent_arrivals(meeting),
        button_form=ArrivalForm(formdata=None, q=query), **_page_context(meeting),
    ), 200 if not form.errors else 400


@bp.get("/<code>")
@login_required
def registration(slug: str, code: str):
    """The page a badge's QR code opens on a staff phone."""
    meeting = get_managed_meeting_or_404(slug)
    registration = registration_by_checkin_token(meeting, code)
    if registration is None:
        abort(404)
    bookings = db.session.scalars(
        select(VisitBooking).options(joinedload(VisitBooking.visit))
        .where(VisitBooking.registration_id == registration.id, VisitBooking.companion_id.is_(None))
        .order_by(VisitBooking.id)
    ).all()
    bookings = sorted(bookings, key=lambda b: (b.visit.day, b.visit.start_time))
    if privacy.record_view(meeting, registration, with_id_data=False, page="check-in"):
        db.session.commit()
    return render_template(
        "checkin/registration.html", registration=registration, bookings=bookings, code=code,
        button_form=ArrivalForm(formdata=None, code=code), **_page_context(meeting),
    )


def _back(meeting: Meeting, form: ArrivalForm, registration: Registration):
    """Back where the button was pressed: the QR page, or the desk with the same search."""
    if form.code.data and registration_by_checkin_token(meeting, form.code.data) is registration:
        return redirect(url_for("checkin.registration", slug=meeting.slug, code=form.code.data), 303)
    return redirect(url_for("checkin.desk", slug=meeting.slug, q=form.q.data or None), 303)


@bp.post("/<int:registration_id>/arrival")
@login_required
def arrive(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    form = ArrivalForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = service.mark_arrival(registration, confirmed=form.confirmed)
    if outcome is service.ArrivalOutcome.needs_confirmation:
        return render_template("checkin/confirm.html", registration=registration,
                               button_form=ArrivalForm(formdata=None, confirm="y", q=form.q.data, code=form.code.data),
                               back=_back(meeting, form, registration).location, **_page_context(meeting))
    db.session.commit()
    at = service.local_time(meeting, registration.checked_in_at).strftime("%H:%M")
    if outcome is service.ArrivalOutcome.already:
        flash(_("%(name)s was already checked in at %(time)s.", name=registration.full_name, time=at), "warning")
    else:
        flash(_("%(name)s checked in at %(time)s.", name=registration.full_name, time=at), "success")
    return _back(meeting, form, registration)


@bp.post("/<int:registration_id>/undo")
@login_required
def undo(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    form = ArrivalForm()
    if not form.validate_on_submit():
        abort(400)
    if service.undo_arrival(registration):
        db.session.commit()
        flash(_("Arrival of %(name)s undone.", name=registration.full_name), "success")
    else:
        flash(_("%(name)s was not checked in.", name=registration.full_name), "warning")
    return _back(meeting, form, registration)


@bp.route("/walk-in", methods=["GET", "POST"])
@login_required
def walk_in(slug: str):
    """A late registration at the desk: the public form's rules, without the registration window."""
    meeting = get_managed_meeting_or_404(slug)
    form = WalkInForm(meeting=meeting, by_organiser=True)  # staff: every category, as on the manage side
    if form.validate_on_submit():
        try:
            registration, _token = register(meeting, form.registration_data())
        except RegistrationError as error:
            db.session.rollback()
            form.add_refusal(error)
        else:
            arrived = form.check_in.data and service.mark_arrival(registration) is service.ArrivalOutcome.checked_in
            db.session.commit()
            if registration.status == RegistrationStatus.waitlisted:
                flash(_("%(name)s is registered, but the meeting is full: number %(position)s on the waiting list. "
                        "Check in only if the organisers agree.", name=registration.full_name,
                        position=registration_position(registration)), "warning")
            elif arrived:
                flash(_("%(name)s is registered and checked in.",
                        name=registration.full_name), "success")
            else:
                flash(_("%(name)s is registered.", name=registration.full_name), "success")
            return redirect(url_for("checkin.registration", slug=slug, code=checkin_token(registration)), 303)
    # `counts` here are the visits' places, which the registration form shows beside each visit.
    context = {**_page_context(meeting), "counts": visit_counts(meeting)}
    return render_template("checkin/walk_in.html", form=form, **context), 400 if request.method == "POST" and form.errors else 200
