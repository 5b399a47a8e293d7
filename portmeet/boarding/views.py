"""The roll-call pages of a field visit: the list with its buttons (plain forms), the state the page's
script polls, the badge scan, and the service worker that keeps the page usable offline."""
from datetime import datetime

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from portmeet.accounts.permissions import get_managed_meeting_or_404, get_meeting_item_or_404
from portmeet.boarding import service
from portmeet.boarding.forms import MarkForm, ScanForm
from portmeet.boarding.service import MarkOutcome, Step
from portmeet.checkin.service import local_time
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import Registration, VisitBooking
from portmeet.checkin.tokens import checkin_token
from portmeet.registration.service import RegistrationError

bp = Blueprint("boarding", __name__)

PAGE = "/manage/meetings/<slug>/visits/<int:visit_id>/boarding"
_EPOCH = datetime(1970, 1, 1)


def _visit_or_404(slug: str, visit_id: int) -> tuple[Meeting, FieldVisit]:
    meeting = get_managed_meeting_or_404(slug)
    return meeting, get_meeting_item_or_404(FieldVisit, visit_id, meeting)


def _booking_or_404(visit: FieldVisit, booking_id: int) -> VisitBooking:
    booking = db.session.get(VisitBooking, booking_id)
    if booking is None or booking.visit_id != visit.id:
        abort(404)
    return booking


def _step(value: str | None) -> Step:
    return Step.ashore if value == Step.ashore.value else Step.board


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _epoch_ms(moment) -> int | None:
    # Stored times are naive UTC; the page's script shows them in the meeting's time zone.
    return None if moment is None else int((moment - _EPOCH).total_seconds() * 1000)


def booking_state(booking: VisitBooking) -> dict:
    return {"id": booking.id, "status": booking.status.value,
            "boarded": _epoch_ms(booking.boarded_at), "returned": _epoch_ms(booking.returned_at)}


def _page(meeting: Meeting, visit: FieldVisit, step: Step, scan_form: ScanForm | None = None, status: int = 200):
    roll = service.roll_call(visit)
    return render_template(
        "boarding/roll_call.html", meeting=meeting, visit=visit, roll=roll, step=step,
        button_form=MarkForm(formdata=None), scan_form=scan_form or ScanForm(formdata=None, step=step.value),
        checkin_token=checkin_token, local_time=lambda moment: local_time(meeting, moment),
        epoch_ms=_epoch_ms,
    ), status


@bp.get(PAGE)
@login_required
def page(slug: str, visit_id: int):
    meeting, visit = _visit_or_404(slug, visit_id)
    return _page(meeting, visit, _step(request.args.get("step")))


@bp.get(PAGE + "/state.json")
@login_required
def state(slug: str, visit_id: int):
    """What the page's script polls: every booking's marks, and a fresh CSRF token for queued marks."""
    _meeting, visit = _visit_or_404(slug, visit_id)
    roll = service.roll_call(visit)
    response = jsonify(csrf_token=generate_csrf(),
                       bookings=[booking_state(b) for b in (*roll.booked, *roll.waiting)])
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back_to_page(meeting: Meeting, visit: FieldVisit, step: Step, booking: VisitBooking | None = None):
    url = url_for("boarding.page", slug=meeting.slug, visit_id=visit.id, step=step.value)
    return redirect(url + (f"#booking-{booking.id}" if booking else ""), 303)


MARKED = {
    Step.board: (lambda name, time: _("%(name)s is on board (%(time)s).", name=name, time=time)),
    Step.ashore: (lambda name, time: _("%(name)s is back ashore (%(time)s).", name=name, time=time)),
}
ALREADY = {
    Step.board: (lambda name, time: _("%(name)s was already on board (%(time)s).", name=name, time=time)),
    Step.ashore: (lambda name, time: _("%(name)s was already back ashore (%(time)s).", name=name, time=time)),
}
UNDONE = {
    Step.board: (lambda name: _("Boarding of %(name)s undone.", name=name)),
    Step.ashore: (lambda name: _("Return of %(name)s undone.", name=name)),
}


def _confirm_page(meeting: Meeting, visit: FieldVisit, booking: VisitBooking, step: Step):
    return render_template("boarding/confirm.html", meeting=meeting, visit=visit, booking=booking,
                           registration=booking.person, step=step,
                           button_form=MarkForm(formdata=None, step=step.value, confirm="y")), 409


def _flash_mark(meeting: Meeting, booking: VisitBooking, step: Step, outcome: MarkOutcome) -> None:
    name = booking.person.full_name
    if outcome in (MarkOutcome.marked, MarkOutcome.already):
        at = local_time(meeting, getattr(booking, step.attribute)).strftime("%H:%M")
        messages = MARKED if outcome is MarkOutcome.marked else ALREADY
        flash(messages[step](name, at), "success" if outcome is MarkOutcome.marked else "warning")
    elif outcome is MarkOutcome.undone:
        flash(UNDONE[step](name), "success")
    else:
        flash(_("%(name)s was not marked.", name=name), "warning")


def _posted_mark(slug: str, visit_id: int, booking_id: int):
    """The meeting, visit, booking and step a mark or undo form names (404 elsewhere, 400 if malformed)."""
    meeting, visit = _visit_or_404(slug, visit_id)
    booking = _booking_or_404(visit, booking_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    return meeting, visit, booking, Step(form.step.data), form


@bp.post(PAGE + "/<int:booking_id>/mark")
@login_required
def mark(slug: str, visit_id: int, booking_id: int):
    meeting, visit, booking, step, form = _posted_mark(slug, visit_id, booking_id)
    outcome = service.mark(booking, step, at=form.client_time, confirmed=form.confirmed)
    db.session.commit()
    if _wants_json():
        return jsonify(outcome=outcome.value, booking=booking_state(booking)), \
            409 if outcome is MarkOutcome.needs_confirmation else 200
    if outcome is MarkOutcome.needs_confirmation:
        return _confirm_page(meeting, visit, booking, step)
    _flash_mark(meeting, booking, step, outcome)
    return _back_to_page(meeting, visit, step, booking)


@bp.post(PAGE + "/<int:booking_id>/undo")
@login_required
def undo(slug: str, visit_id: int, booking_id: int):
    meeting, visit, booking, step, _form = _posted_mark(slug, visit_id, booking_id)
    outcome = service.undo(booking, step)
    db.session.commit()
    if _wants_json():
        return jsonify(outcome=outcome.value, booking=booking_state(booking))
    _flash_mark(meeting, booking, step, outcome)
    return _back_to_page(meeting, visit, step, booking)


@bp.post(PAGE + "/scan")
@login_required
def scan(slug: str, visit_id: int):
    """A badge's code typed or read by a scanner app: mark its delegate, or say why not."""
    meeting, visit = _visit_or_404(slug, visit_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _page(meeting, visit, _step(form.step.data), form, 400)
    step = Step(form.step.data)
    registration = service.registration_from_scan(meeting, form.code.data)
    if registration is None:
        form.code.errors.append(_("This is not the badge of a delegate of this meeting."))
        return _page(meeting, visit, step, form, 400)
    booking = service.booking_of(visit, registration)
    if booking is None:
        return _not_booked(meeting, visit, registration)
    outcome = service.mark(booking, step)
    db.session.commit()
    if outcome is MarkOutcome.needs_confirmation:
        return _confirm_page(meeting, visit, booking, step)
    _flash_mark(meeting, booking, step, outcome)
    return _back_to_page(meeting, visit, step, booking)


def _not_booked(meeting: Meeting, visit: FieldVisit, registration: Registration, error: str | None = None):
    refusal = error or service.can_add(visit, registration)
    return render_template("boarding/not_booked.html", meeting=meeting, visit=visit, registration=registration,
                           refusal=refusal, places_left=service.roll_call(visit).places_left,
                           button_form=MarkForm(formdata=None, confirm="y")), 409


@bp.post(PAGE + "/add/<int:registration_id>")
@login_required
def add(slug: str, visit_id: int, registration_id: int):
    """Staff add a delegate who is not booked to the visit at the quay (if a place is left), on board."""
    meeting, visit = _visit_or_404(slug, visit_id)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    form = MarkForm()
    if not form.validate_on_submit() or not form.confirmed:
        abort(400)
    try:
        booking = service.add_and_board(visit, registration)
    except RegistrationError as error:
        db.session.rollback()
        return _not_booked(meeting, visit, registration, error.message)
    db.session.commit()
    flash(_("%(name)s is added to this visit and on board.", name=registration.full_name), "success")
    return _back_to_page(meeting, visit, Step.board, booking)


@bp.get("/manage/boarding-sw.js")
def service_worker():
    """The roll call's service worker, served from /manage/ so that it may answer for the roll-call
    pages (a worker only controls pages under its own folder)."""
    response = send_from_directory(current_app.static_folder, "js/boarding-sw.js", mimetype="text/javascript",
                                   max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
