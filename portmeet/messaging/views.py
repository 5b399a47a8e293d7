"""The messages page: write, preview, send; the log of sent messages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portmeet.accounts.permissions import get_managed_meeting_or_404, get_meeting_item_or_404
from portmeet.extensions import db
from portmeet.i18n import LANGUAGES
from portmeet.messaging import service
from portmeet.messaging.forms import PLACEHOLDERS, MessageForm
from portmeet.messaging.models import Message

bp = Blueprint("messaging", __name__, url_prefix="/manage/meetings/<slug>/messages")


def _page(meeting, form, *, preview=None, count=0, versions=None, status=200):
    return render_template("messaging/messages.html", meeting=meeting, form=form, preview=preview, count=count,
                           versions=versions or {}, placeholders=PLACEHOLDERS, language_names=LANGUAGES,
                           messages=service.messages_of(meeting)), status


@bp.route("", methods=["GET", "POST"])
@login_required
def messages(slug: str):
    """Without send=y a POST previews (recipients and one rendered copy); with send=y it sends."""
    meeting = get_managed_meeting_or_404(slug)
    form = MessageForm(request.form if request.method == "POST" else request.args, meeting=meeting)
    if request.method == "GET":
        return _page(meeting, form)
    versions = form.versions(request.form)
    valid = form.validate()
    version_errors = form.version_errors(versions)
    form.form_errors = [*form.form_errors, *version_errors]
    if not valid or version_errors:
        return _page(meeting, form, versions=versions, status=400)
    draft = service.Draft(form.subject.data.strip(), form.body.data.strip(), versions)
    chosen = service.recipients(meeting, form.filters())
    if form.send.data == "y":
        key = form.send_key.data or service.new_send_key()
        try:
            message, created = service.send(meeting, draft, form.filters(), key, current_user)
            db.session.commit()
        except service.MessageError as error:
            db.session.rollback()
            form.form_errors = [*form.form_errors, error.message]
            return _page(meeting, form, versions=versions, status=400)
        except IntegrityError:  # the same click arrived twice at once: the other request sent it
            db.session.rollback()
            message, created = service.sent_with_key(meeting, key), False
        if created:
            flash(ngettext("Message sent to %(num)d delegate.", "Message sent to %(num)d delegates.",
                           len(message.recipients)), "success")
        else:
            flash(_("This message was already sent; it was not sent again."), "info")
        return redirect(url_for("messaging.message", slug=slug, message_id=message.id), 303)
    if not chosen:
        form.form_errors = [*form.form_errors, _("No delegate matches these filters: nothing would be sent.")]
        return _page(meeting, form, versions=versions, status=400)
    if not form.send_key.data:
        form.send_key.data = service.new_send_key()
    example = chosen[0]
    subject, body = service.personal_copy(draft, example)
    return _page(meeting, form, preview={"to": example, "subject": subject, "body": body}, count=len(chosen),
                 versions=versions)


@bp.get("/<int:message_id>")
@login_required
def message(slug: str, message_id: int):
    meeting = get_managed_meeting_or_404(slug)
    sent = get_meeting_item_or_404(Message, message_id, meeting)
    return render_template("messaging/message.html", meeting=meeting, message=sent, language_names=LANGUAGES)
