"""The hosts' pages for a meeting's registration questions: list, add, edit, order, hide, delete, sets."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portmeet.accounts.forms import EmptyForm
from portmeet.accounts.permissions import get_managed_meeting_or_404, get_meeting_item_or_404
from portmeet.extensions import db
from portmeet.i18n import current_language
from portmeet.questions import service
from portmeet.questions.forms import KIND_LABELS, QuestionForm
from portmeet.questions.models import Question

bp = Blueprint("questions", __name__, url_prefix="/manage/meetings/<slug>/questions")
# Printed manifests show answers in the page's language.
bp.add_app_template_global(service.shown_answer, "shown_answer")
bp.add_app_template_global(current_language, "current_language")


def _list_url(slug: str, question: Question | None = None) -> str:
    return url_for("questions.index", slug=slug) + (f"#question-{question.id}" if question is not None else "")


@bp.get("/")
@login_required
def index(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    questions = service.questions_of(meeting)
    return render_template("questions/index.html", meeting=meeting, questions=questions, kinds=KIND_LABELS,
                           presets=[(name, service.preset_title(name)) for name in service.PRESETS],
                           button_form=EmptyForm())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, question_id: int | None = None):
    meeting = get_managed_meeting_or_404(slug)
    question = get_meeting_item_or_404(Question, question_id, meeting) if question_id else None
    form = QuestionForm(obj=question, meeting=meeting)
    if request.method == "GET" and question is not None:
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            question = service.save_question(meeting, form.question_data(), question)
        except service.QuestionError as error:
            db.session.rollback()
            form.kind.errors = list(form.kind.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(_list_url(slug, question), 303)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("questions/form.html", form=form, meeting=meeting, question=question), status


@bp.post("/<int:question_id>/move")
@login_required
def move(slug: str, question_id: int):
    meeting = get_managed_meeting_or_404(slug)
    question = get_meeting_item_or_404(Question, question_id, meeting)
    if not EmptyForm().validate_on_submit() or request.form.get("direction") not in ("up", "down"):
        abort(400)
    service.move_question(question, request.form["direction"])
    db.session.commit()
    return redirect(_list_url(slug, question), 303)


@bp.post("/<int:question_id>/hide")
@login_required
def hide(slug: str, question_id: int):
    meeting = get_managed_meeting_or_404(slug)
    question = get_meeting_item_or_404(Question, question_id, meeting)
    if not EmptyForm().validate_on_submit():
        abort(400)
    hidden = request.form.get("hidden") != "n"
    service.set_hidden(question, hidden)
    db.session.commit()
    flash(_("Question hidden: the form no longer asks it; its answers are kept.") if hidden
          else _("Question shown on the form again."), "success")
    return redirect(_list_url(slug, question), 303)


@bp.route("/<int:question_id>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str, question_id: int):
    meeting = get_managed_meeting_or_404(slug)
    question = get_meeting_item_or_404(Question, question_id, meeting)
    form = EmptyForm()
    answered = service.has_answers(question)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if answered:
            flash(_("Delegates have answered this question, so it cannot be deleted; hide it instead."), "error")
            return render_template("questions/delete.html", meeting=meeting, question=question, form=form,
                                   answered=answered), 409
        if request.form.get("confirm") == "y":
            service.delete_question(question)
            db.session.commit()
            flash(_("Question deleted."), "success")
            return redirect(_list_url(slug), 303)
    return render_template("questions/delete.html", meeting=meeting, question=question, form=form, answered=answered)


@bp.post("/presets/<name>")
@login_required
def add_preset(slug: str, name: str):
    meeting = get_managed_meeting_or_404(slug)
    if not EmptyForm().validate_on_submit() or name not in service.PRESETS:
        abort(400 if name in service.PRESETS else 404)
    added = service.add_preset(meeting, name)
    db.session.commit()
    if added:
        flash(_("Added: %(questions)s.", questions=", ".join(q.label for q in added)), "success")
    else:
        flash(_("These questions are already on the form."), "warning")
    return redirect(_list_url(slug), 303)
