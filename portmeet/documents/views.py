"""Printed documents: badges, attendee lists, programme, itinerary, manifests."""
from functools import partial

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from portmeet import audit
from portmeet.accounts.permissions import (
    get_managed_meeting_or_404,
    get_meeting_item_or_404,
    get_public_meeting_or_404,
)
from portmeet.boarding.service import marks_by_person
from portmeet.checkin.service import local_time
from portmeet.documents import catering, service
from portmeet.documents.itinerary_calendar import itinerary_calendar
from portmeet.documents.forms import AttendeeFilterForm, BadgeFilterForm
from portmeet.documents.cache import cached_or_render
from portmeet.documents.pdf import file_response, html_to_pdf, pdf_response, render_pdf_in_chunks, render_pdf_in_parts
from portmeet.extensions import db
from portmeet.i18n import current_language
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.meetings.service import timeline_by_day
from portmeet.questions.service import answers_by_registration, manifest_questions
from portmeet.registration.models import RegistrationStatus
from portmeet.registration.listing import visit_roster
from portmeet.registration.service import registration_by_token
from portmeet.registration.waitlist import pick_positions, signup_positions

bp = Blueprint("documents", __name__)


def _log_export(meeting: Meeting, kind: str, subject=None, **details) -> None:
    """Every export of personal data goes to the meeting's audit trail (who, what, when)."""
    audit.record(meeting, kind, subject=subject, details=details)
    db.session.commit()


def _valid_or_400(form) -> None:
    if not form.validate():
        abort(400, description=" ".join(str(error) for errors in form.errors.values() for error in errors))


# --- organisers and hosts ------------------------------------------------------------------------

@bp.get("/manage/meetings/<slug>/badges.pdf")
@login_required
def badges(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = BadgeFilterForm(request.args)
    _valid_or_400(form)
    selection = form.selection()
    layout = selection.pop("layout")
    meeting_id, filename = meeting.id, f"{meeting.slug}-badges-{layout.name}.pdf"  # not read again after the log
    with form.language():
        fingerprint, count = service.badges_fingerprint(meeting, layout, **selection)
        _log_export(meeting, "export.badges", layout=layout.name, badges=count)
        render = partial(_badge_sheets_pdf, meeting_id, layout, selection)
        if selection["ids"] is None:  # whole runs come from the shared cache while nothing printed changed
            document = f"badges-{layout.name}-{form.status.data}-{form.category.data or 'any'}-{current_language()}"
            pdf = cached_or_render(meeting_id, document, fingerprint, render, keep=1)
        else:  # a few late badges
            pdf = render()
        return file_response(pdf, filename, "application/pdf", inline=True)


def _badge_sheets_pdf(meeting_id: int, layout: service.BadgeLayout, selection: dict) -> bytes:
    meeting = db.session.get(Meeting, meeting_id)
    badge_list = service.badges(meeting, service.badge_people(meeting, **selection), layout)
    # One sheet is one page: long runs are rendered in chunks of sheets, side by side.
    return render_pdf_in_chunks(
        "documents/badges.html", "sheets", service.pages(badge_list, layout.per_page),
        meeting=meeting, layout=layout, font_sizes=service.font_sizes(badge_list),
        category_colours=service.CATEGORY_COLOURS,
    )


def _attendee_filters() -> AttendeeFilterForm:
    form = AttendeeFilterForm(request.args)
    _valid_or_400(form)
    return form


def _attendee_context(meeting: Meeting, form: AttendeeFilterForm) -> dict:
    groups = service.attendees_by_country(meeting, include_waitlist=form.waitlist.data)
    return dict(meeting=meeting, form=form, groups=groups, total=sum(group.count for group in groups),
                accompanying=sum(group.accompanying for group in groups))


@bp.get("/manage/meetings/<slug>/attendees")
@login_required
def attendees(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = _attendee_filters()
    badge_form = BadgeFilterForm(formdata=None)
    # Both forms and the site's language selector have a `lang` field: distinct ids keep each label on its own.
    for field, new_id in ((form.lang, "list-lang"), (badge_form.lang, "badge-lang")):
        field.id = field.label.field_id = new_id
    return render_template("documents/attendees.html", badge_form=badge_form, **_attendee_context(meeting, form))


@bp.get("/manage/meetings/<slug>/attendees.pdf")
@login_required
def attendees_pdf(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = _attendee_filters()
    meeting_id, filename = meeting.id, f"{meeting.slug}-attendees.pdf"  # not read again after the log
    with form.language():
        fingerprint, _count = service.attendees_fingerprint(meeting, include_waitlist=form.waitlist.data)
        _log_export(meeting, "export.attendees", format="pdf")
        document = f"attendees-{'waitlist' if form.waitlist.data else 'confirmed'}-{current_language()}"
        pdf = cached_or_render(meeting_id, document, fingerprint, partial(_attendee_list_pdf, meeting_id, form), keep=1)
        return file_response(pdf, filename, "application/pdf", inline=True)


def _attendee_list_pdf(meeting_id: int, form: AttendeeFilterForm) -> bytes:
    context = _attendee_context(db.session.get(Meeting, meeting_id), form)
    groups = context.pop("groups")
    return render_pdf_in_parts("documents/attendees_print.html", "groups", groups, [group.count for group in groups],
                               **context)


@bp.get("/manage/meetings/<slug>/attendees.csv")
@login_required
def attendees_csv(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    form = _attendee_filters()
    _log_export(meeting, "export.attendees", format="csv")
    with form.language():
        groups = _attendee_context(meeting, form)["groups"]
        return file_response(service.attendees_csv(groups), f"{meeting.slug}-attendees.csv", "text/csv")


@bp.get("/manage/meetings/<slug>/visits/<int:visit_id>/manifest.pdf")
@login_required
def manifest_pdf(slug: str, visit_id: int):
    meeting = get_managed_meeting_or_404(slug)
    visit = get_meeting_item_or_404(FieldVisit, visit_id, meeting)
    _log_export(meeting, "export.manifest", subject=visit, format="pdf")
    return pdf_response("documents/manifest.html", f"{meeting.slug}-visit-{visit.id}-manifest.pdf",
                        meeting=meeting, visit=visit, roster=visit_roster(visit),
                        questions=manifest_questions(meeting), answers=answers_by_registration(meeting),
                        marks=marks_by_person(visit), local_time=partial(local_time, meeting))


@bp.get("/manage/meetings/<slug>/visits/<int:visit_id>/manifest.csv")
@login_required
def manifest_csv(slug: str, visit_id: int):
    meeting = get_managed_meeting_or_404(slug)
    visit = get_meeting_item_or_404(FieldVisit, visit_id, meeting)
    _log_export(meeting, "export.manifest", subject=visit, format="csv")
    return file_response(service.manifest_csv(visit_roster(visit), manifest_questions(meeting),
                                              answers_by_registration(meeting), marks_by_person(visit)),
                         f"{meeting.slug}-visit-{visit.id}-manifest.csv", "text/csv")


@bp.get("/manage/meetings/<slug>/catering.pdf")
@login_required
def catering_pdf(slug: str):
    """For the caterer: each meal and social event, how many eat, their dietary needs and who has them."""
    meeting = get_managed_meeting_or_404(slug)
    _log_export(meeting, "export.catering", format="pdf")
    return pdf_response("documents/catering.html", f"{meeting.slug}-catering.pdf", meeting=meeting,
                        meals=catering.catering(meeting))


@bp.get("/manage/meetings/<slug>/catering.csv")
@login_required
def catering_csv(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    _log_export(meeting, "export.catering", format="csv")
    return file_response(catering.catering_csv(catering.catering(meeting)), f"{meeting.slug}-catering.csv", "text/csv")


# --- public ---------------------------------------------------------------------------------------

@bp.get("/meetings/<slug>/participants")
def participants(slug: str):
    meeting = get_public_meeting_or_404(slug)
    groups = service.attendees_by_country(meeting, consenting_only=True)
    return render_template("documents/participants.html", meeting=meeting, groups=groups,
                           total=sum(group.count for group in groups))


@bp.get("/meetings/<slug>/programme.pdf")
def programme_pdf(slug: str):
    meeting = get_public_meeting_or_404(slug)
    # The print HTML takes milliseconds; the PDF of that exact HTML comes from the shared cache when any
    # worker has rendered it before, else it is rendered outside the database transaction and kept.
    html = render_template("documents/programme.html", meeting=meeting, timeline=timeline_by_day(meeting))
    pdf = cached_or_render(meeting.id, "programme", html, partial(html_to_pdf, html))
    return file_response(pdf, f"{meeting.slug}-programme.pdf", "application/pdf", inline=True, private=False)


@bp.get("/meetings/<slug>/programme.ics")
def programme_ics(slug: str):
    meeting = get_public_meeting_or_404(slug)
    return file_response(service.programme_calendar(meeting), f"{meeting.slug}-programme.ics",
                         "text/calendar", private=False)


@bp.get("/registrations/<token>/itinerary.pdf")
def itinerary_pdf(token: str):
    registration = registration_by_token(token)
    if registration is None or registration.status == RegistrationStatus.cancelled:
        abort(404)
    meeting = registration.meeting
    return pdf_response(
        "documents/itinerary.html", f"{meeting.slug}-itinerary.pdf",
        meeting=meeting, registration=registration, days=service.itinerary(registration),
        positions=pick_positions(registration), signup_positions=signup_positions(registration),
        qr=service.qr_code(service.checkin_url(registration, meeting)), map_qr=service.qr_code,
    )


@bp.get("/registrations/<token>/itinerary.ics")
def itinerary_ics(token: str):
    registration = registration_by_token(token)
    if registration is None or registration.status == RegistrationStatus.cancelled:
        abort(404)
    return file_response(itinerary_calendar(registration), f"{registration.meeting.slug}-itinerary.ics",
                         "text/calendar")
