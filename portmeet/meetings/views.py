"""Public meeting pages, and the hosts' pages to build a meeting, its programme and its visits."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portmeet.accounts.forms import AddHostForm, EmptyForm
from portmeet.accounts.permissions import (
    get_managed_meeting_or_404,
    get_public_meeting_or_404,
    get_meeting_item_or_404,
    get_visible_meeting_or_404,
    managed_meetings,
)
from portmeet.accounts.service import hosts_of
from portmeet.extensions import db
from portmeet.meetings import copying, service, slides
from portmeet.meetings.changes import PlacesError, session_delegates
from portmeet.meetings.forms import CopyForm, MeetingForm, SessionForm, VisitForm
from portmeet.meetings.models import FieldVisit, MeetingStatus, ProgrammeSession
from portmeet.registration.listing import visit_roster
from portmeet.registration.models import RegistrationStatus
from portmeet.registration.service import registration_by_token
from portmeet.registration.waitlist import meeting_is_full, session_counts, visit_counts
from portmeet.timeutil import utcnow

bp = Blueprint("meetings", __name__)


def _refuse(form, error: PlacesError) -> None:
    """Show a refusal of the rules (checked under the locks, so not by the form) beside its field."""
    field = getattr(form, error.field)
    field.errors = [*field.errors, error.message]


def form_status(form) -> int:
    """400 for a submitted form with errors, 200 for a fresh one."""
    return 400 if request.method == "POST" and form.errors else 200


# --- public ---------------------------------------------------------------

@bp.get("/")
def index():
    upcoming, past = service.public_meetings(utcnow().date())
    series, past_alone = service.group_by_series(past)
    return render_template("meetings/index.html", upcoming=upcoming, past=past, series=series, past_alone=past_alone)


@bp.get("/meetings/<slug>/")
def detail(slug: str):
    meeting = get_visible_meeting_or_404(slug)
    return render_template(
        "meetings/detail.html",
        button_form=EmptyForm(),
        meeting=meeting,
        timeline=service.timeline_by_day(meeting),
        counts=visit_counts(meeting),
        presentations=slides.presentations(meeting),
        full=meeting_is_full(meeting),
    )


# --- manage ---------------------------------------------------------------

@bp.get("/manage/")
@login_required
def manage_index():
    return render_template("meetings/manage_index.html", meetings=managed_meetings(current_user))


@bp.route("/manage/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting():
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = service.create_meeting(form.data, created_by=current_user)
        db.session.commit()
        flash(_("Meeting created. Add its programme and field visits, then publish it."), "success")
        return redirect(url_for("meetings.manage_meeting", slug=meeting.slug), 303)
    return render_template("meetings/meeting_form.html", form=form, meeting=None), form_status(form)


@bp.get("/manage/meetings/<slug>/")
@login_required
def manage_meeting(slug: str):
    return _manage_page(get_managed_meeting_or_404(slug))


def _manage_page(meeting, status: int = 200, refused: list[str] | None = None):
    return render_template(
        "meetings/manage_meeting.html",
        meeting=meeting,
        publish_problems=refused if refused is not None else service.publish_problems(meeting),
        publish_refused=refused is not None,
        timeline=service.timeline_by_day(meeting),
        counts=visit_counts(meeting),
        signup_counts=session_counts(meeting),
        hosts=hosts_of(meeting),
        host_form=AddHostForm(),
        button_form=EmptyForm(),
    ), status


@bp.post("/manage/meetings/<slug>/publish")
@login_required
def publish(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if meeting.status != MeetingStatus.draft:
        flash(_("This meeting is already published."), "info")
        return redirect(url_for("meetings.manage_meeting", slug=slug), 303)
    try:
        service.publish(meeting, by=current_user)
    except service.PublishRefused as refusal:
        db.session.rollback()
        return _manage_page(meeting, 409, refusal.problems)
    db.session.commit()
    flash(_("Published: delegates can now see the meeting and register."), "success")
    return redirect(url_for("meetings.manage_meeting", slug=slug), 303)


@bp.route("/manage/meetings/<slug>/copy", methods=["GET", "POST"])
@login_required
def copy_meeting(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = CopyForm(data=copying.next_edition_defaults(meeting) if request.method == "GET" else None)
    if form.validate_on_submit():
        new = copying.copy_meeting(meeting, form.title.data, form.slug.data, form.start_date.data, by=current_user)
        days = (new.start_date - meeting.start_date).days
        db.session.commit()
        flash(_("Copied into a new draft: %(sessions)s and %(visits)s, every date moved by %(days)s days; no "
                "registrations. Check the programme, then publish it.",
                sessions=ngettext("%(num)d session", "%(num)d sessions", len(new.sessions)),
                visits=ngettext("%(num)d field visit", "%(num)d field visits", len(new.visits)), days=days), "success")
        return redirect(url_for("meetings.manage_meeting", slug=new.slug), 303)
    return render_template("meetings/copy_form.html", form=form, meeting=meeting), form_status(form)


@bp.route("/manage/meetings/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = MeetingForm(obj=meeting, meeting=meeting)
    if request.method == "GET":
        form.status.data = meeting.status.value
        form.fill_translations(meeting)
    if form.validate_on_submit():
        try:
            service.update_meeting(meeting, form.data)
        except service.PublishRefused as refusal:
            db.session.rollback()
            form.status.errors = [_("Not published yet:"), *refusal.problems]
        except PlacesError as error:
            db.session.rollback()
            _refuse(form, error)
        else:
            db.session.commit()
            flash(_("Meeting saved."), "success")
            return redirect(url_for("meetings.manage_meeting", slug=meeting.slug), 303)
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting), form_status(form)


@bp.route("/manage/meetings/<slug>/sessions/new", methods=["GET", "POST"])
@bp.route("/manage/meetings/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(slug: str, session_id: int | None = None):
    meeting = get_managed_meeting_or_404(slug)
    session = get_meeting_item_or_404(ProgrammeSession, session_id, meeting) if session_id else None
    form = SessionForm(obj=session, meeting=meeting, session=session)
    if request.method == "GET" and session is not None:
        form.kind.data = session.kind.value
        form.speakers.data = service.speakers_as_text(session)
        form.fill_translations(session)
    if form.validate_on_submit():
        try:
            session = service.save_session(meeting, form.data, form.parsed_speakers, session,
                                           notify=bool(form.notify.data))
        except PlacesError as error:
            db.session.rollback()
            _refuse(form, error)
        else:
            slides.save_slides(session, upload=form.slides_upload, filename=form.slides_filename,
                               url=form.slides_url.data, public=form.slides_public.data,
                               remove=form.remove_slides.data)
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("meetings.manage_meeting", slug=slug) + "#programme", 303)
    return render_template("meetings/session_form.html", form=form, meeting=meeting, session=session), form_status(form)


@bp.route("/manage/meetings/<slug>/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@login_required
def delete_session(slug: str, session_id: int):
    """GET: what deleting the session would do; POST deletes it, with `confirm=y` only."""
    meeting = get_managed_meeting_or_404(slug)
    session = get_meeting_item_or_404(ProgrammeSession, session_id, meeting)
    form = EmptyForm()
    if form.validate_on_submit() and request.form.get("confirm") == "y":
        removal = service.delete_session(session)
        db.session.commit()
        if removal.cancelled:
            flash(ngettext("Event cancelled; %(num)d delegate was told by e-mail.",
                           "Event cancelled; %(num)d delegates were told by e-mail.", removal.told), "success")
        else:
            flash(_("Session deleted."), "success")
        return redirect(url_for("meetings.manage_meeting", slug=slug) + "#programme", 303)
    return render_template("meetings/delete_session.html", meeting=meeting, session=session, form=form,
                           signed_up=session_delegates(session)), 400 if request.method == "POST" else 200


@bp.route("/manage/meetings/<slug>/visits/new", methods=["GET", "POST"])
@bp.route("/manage/meetings/<slug>/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_visit(slug: str, visit_id: int | None = None):
    meeting = get_managed_meeting_or_404(slug)
    visit = get_meeting_item_or_404(FieldVisit, visit_id, meeting) if visit_id else None
    form = VisitForm(obj=visit, meeting=meeting)
    if request.method == "GET" and visit is not None:
        form.transport.data = visit.transport.value
        form.fill_translations(visit)
    if form.validate_on_submit():
        try:
            service.save_visit(meeting, form.data, visit, notify=bool(form.notify.data))
        except PlacesError as error:
            db.session.rollback()
            _refuse(form, error)
        else:
            db.session.commit()
            flash(_("Field visit saved."), "success")
            return redirect(url_for("meetings.manage_meeting", slug=slug) + "#visits", 303)
    return render_template("meetings/visit_form.html", form=form, meeting=meeting, visit=visit), form_status(form)


@bp.route("/manage/meetings/<slug>/visits/<int:visit_id>/delete", methods=["GET", "POST"])
@login_required
def delete_visit(slug: str, visit_id: int):
    """GET: who deleting the visit would affect, by name; POST acts, with `confirm=y` only: a visit
    with bookings is cancelled (its delegates are told), one without is erased."""
    meeting = get_managed_meeting_or_404(slug)
    visit = get_meeting_item_or_404(FieldVisit, visit_id, meeting)
    form = EmptyForm()
    if form.validate_on_submit() and request.form.get("confirm") == "y":
        removal = service.delete_visit(visit)
        db.session.commit()
        if removal.cancelled:
            flash(ngettext("Field visit cancelled; %(num)d delegate was told by e-mail.",
                           "Field visit cancelled; %(num)d delegates were told by e-mail.", removal.told), "success")
        else:
            flash(_("Field visit deleted."), "success")
        return redirect(url_for("meetings.manage_meeting", slug=slug) + "#visits", 303)
    return render_template("meetings/delete_visit.html", meeting=meeting, visit=visit, form=form,
                           roster=visit_roster(visit)), 400 if request.method == "POST" else 200


# --- presentations ----------------------------------------------------------

@bp.errorhandler(413)
def too_large(error):
    from portmeet.errors import render_error

    if request.endpoint == "meetings.edit_session":
        return render_error(413, _("The file is too large: slides may be at most 20 MB. Nothing was saved."))
    return render_error(413)


def _slides_response(session: ProgrammeSession, private: bool):
    """The uploaded PDF as a download with its own type: never shown inline, never sniffed as anything else."""
    path = slides.slides_path(session)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=session.slides_name or "slides.pdf", max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


@bp.get("/meetings/<slug>/sessions/<int:session_id>/slides.pdf")
def public_slides(slug: str, session_id: int):
    meeting = get_public_meeting_or_404(slug)
    session = get_meeting_item_or_404(ProgrammeSession, session_id, meeting)
    if not session.slides_public:
        abort(404)
    return _slides_response(session, private=False)


@bp.get("/registrations/<token>/sessions/<int:session_id>/slides.pdf")
def delegate_slides(token: str, session_id: int):
    registration = registration_by_token(token)
    if registration is None or registration.status == RegistrationStatus.cancelled:
        abort(404)
    session = get_meeting_item_or_404(ProgrammeSession, session_id, registration.meeting)
    return _slides_response(session, private=True)


@bp.get("/manage/meetings/<slug>/sessions/<int:session_id>/slides.pdf")
@login_required
def manage_slides(slug: str, session_id: int):
    meeting = get_managed_meeting_or_404(slug)
    return _slides_response(get_meeting_item_or_404(ProgrammeSession, session_id, meeting), private=True)
