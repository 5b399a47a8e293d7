"""Visa invitation letters: the letterhead settings, the staff's decision, the letter PDF."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portmeet.accounts.permissions import get_managed_meeting_or_404, get_meeting_item_or_404
from portmeet.audit import DELEGATE
from portmeet.documents.pdf import file_response, html_to_pdf, pdf_response
from portmeet.extensions import db
from portmeet.letters import certificates, images, service
from portmeet.letters.forms import LetterheadForm, VisaDecisionForm
from portmeet.letters.images import ImageError
from portmeet.registration.models import Registration
from portmeet.registration.service import registration_by_token

bp = Blueprint("letters", __name__)


@bp.route("/manage/meetings/<slug>/letterhead", methods=["GET", "POST"])
@login_required
def letterhead(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    current = service.letterhead_of(meeting)
    form = LetterheadForm(obj=current)
    if form.validate_on_submit():
        try:
            service.save_letterhead(meeting, form.data, logo=form.images.get("logo"),
                                    signature=form.images.get("signature"), remove_logo=form.remove_logo.data,
                                    remove_signature=form.remove_signature.data)
        except ImageError as error:  # checked by the form already; kept for callers that skip it
            db.session.rollback()
            form.logo.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Letterhead saved."), "success")
            return redirect(url_for("letters.letterhead", slug=slug), 303)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("letters/letterhead.html", form=form, meeting=meeting, letterhead=current,
                           logo=images.data_uri(current.logo_file),
                           signature=images.data_uri(current.signature_file)), status


@bp.errorhandler(413)
def too_large(error):
    from portmeet.errors import render_error

    return render_error(413, _("The image is too large: at most 1 MB. Nothing was saved."))


@bp.post("/manage/meetings/<slug>/registrations/<int:registration_id>/visa-letter")
@login_required
def decide(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    form = VisaDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.decide(registration, form.decision.data, actor=current_user)
    except service.LetterError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Visa letter approved; the delegate has been told by e-mail.") if form.decision.data == "approve"
              else _("Visa letter declined; the delegate has been told by e-mail."), "success")
    return redirect(url_for("registration.manage_detail", slug=slug, registration_id=registration.id), 303)


def _letter_pdf(registration: Registration, preview: bool):
    meeting = registration.meeting
    with force_locale(registration.language or meeting.language):
        return pdf_response("letters/invitation.html", f"{meeting.slug}-invitation-letter-{registration.id}.pdf",
                            **service.letter_context(registration, preview=preview))


@bp.get("/manage/meetings/<slug>/registrations/<int:registration_id>/invitation-letter.pdf")
@login_required
def preview(slug: str, registration_id: int):
    meeting = get_managed_meeting_or_404(slug)
    registration = get_meeting_item_or_404(Registration, registration_id, meeting)
    if not registration.needs_visa_letter or not service.has_passport_data(registration):
        abort(404)
    service.record("visa_letter.previewed", registration, current_user)
    db.session.commit()
    return _letter_pdf(registration, preview=not service.letter_available(registration))


@bp.get("/registrations/<token>/invitation-letter.pdf")
def invitation_letter(token: str):
    registration = registration_by_token(token)
    if registration is None or not service.letter_available(registration):
        abort(404)
    service.record("visa_letter.downloaded", registration, DELEGATE)
    db.session.commit()
    return _letter_pdf(registration, preview=False)


# --- certificates of attendance --------------------------------------------------------------------

@bp.get("/registrations/<token>/certificate.pdf")
def certificate(token: str):
    registration = registration_by_token(token)
    if registration is None or not certificates.certificate_available(registration):
        abort(404)
    meeting = registration.meeting
    return file_response(html_to_pdf(certificates.certificates_html(meeting, [registration])),
                         f"{meeting.slug}-certificate-of-attendance.pdf", "application/pdf", inline=True)


@bp.get("/manage/meetings/<slug>/certificates.pdf")
@login_required
def all_certificates(slug: str):
    from portmeet.errors import render_error

    meeting = get_managed_meeting_or_404(slug)
    registrations = certificates.attended(meeting)
    if not registrations:
        return render_error(404, _("Nobody has been checked in at this meeting yet: there is no certificate to print."))
    return file_response(html_to_pdf(certificates.certificates_html(meeting, registrations)),
                         f"{meeting.slug}-certificates-of-attendance.pdf", "application/pdf", inline=True)
