"""The meeting's activity page: its audit trail for its staff."""
from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from portmeet.accounts.permissions import get_managed_meeting_or_404
from portmeet.audit import service
from portmeet.audit.kinds import KINDS

bp = Blueprint("audit", __name__)


@bp.get("/manage/meetings/<slug>/activity")
@login_required
def activity(slug: str):
    meeting = get_managed_meeting_or_404(slug)
    kind = request.args.get("kind", "")[:60]
    page = request.args.get("page", "1")
    if not page.isdigit() or not 0 < int(page) < 100_000:
        abort(400)
    pager = service.activity_page(meeting, kind, int(page))
    return render_template(
        "audit/activity.html", meeting=meeting, kind=kind, pager=pager, entries=pager.items,
        kinds=sorted(set(service.kinds_used(meeting)) | set(KINDS)),
    )
