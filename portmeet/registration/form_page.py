"""The registration form as a stranger first opens it, kept rendered per worker process.

When registration opens, most requests are strangers opening the same form. Its HTML changes only with the
meeting's content (`Meeting.content_version`, bumped with any change of the meeting, its visits, sessions
or questions: meetings/versions.py), the language, and whether the meeting is full. So it is rendered once
per such key and kept with two kinds of holes, which every request fills afresh: its own CSRF token, and
the places left on each visit and meal (counted at each request, as before).

Anyone else gets the page rendered in full: a signed-in user (their name in the header), a page with a
message to show (flashed), a URL with a query, a form sent back with errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portmeet.fragments import kept
from portmeet.i18n import current_language
from portmeet.meetings.models import Meeting
from portmeet.registration import waitlist

_CSRF_HOLE = "\x00csrf\x00"  # NUL never reaches a page otherwise: text fields refuse control characters
_HOLE = re.compile("\x00(?:csrf|places:(?P<kind>visits|sessions):(?P<id>\\d+):(?P<capacity>\\d+))\x00")
_KINDS = {"visits": waitlist.VISITS, "sessions": waitlist.SESSIONS}


def places_hint(kind: str, place_id: int, count: waitlist.VisitCount | None, capacity: int) -> Markup:
    """The line under a visit or meal on the form: its places left, or that a new pick joins its waitlist.
    (`kind` and `place_id` name the hole a kept page leaves in its place: `_places_hole`.)"""
    if count and count.places_left == 0:
        return Markup("<strong>%s</strong>") % _("Full: a new pick joins the waitlist")
    return escape(_("Places left: %(left)s of %(places)s", left=count.places_left if count else capacity,
                    places=capacity))


def _places_hole(kind: str, place_id: int, _count, capacity: int) -> Markup:
    return Markup(f"\x00places:{kind}:{place_id}:{capacity}\x00")


@dataclass(frozen=True)
class _Place:
    id: int
    capacity: int


@dataclass(frozen=True)
class _KeptPage:
    parts: list[str]  # the HTML between the holes
    holes: list[tuple[str, int, int] | None]  # after each part but the last: a place (kind, id, capacity) or the token


def _kept_page(html: str, token: str) -> _KeptPage:
    """The page rendered for one request, cut at its holes: its CSRF token, and the places markers."""
    html = html.replace(token, _CSRF_HOLE)
    parts, holes, start = [], [], 0
    for hole in _HOLE.finditer(html):
        parts.append(html[start:hole.start()])
        holes.append((hole["kind"], int(hole["id"]), int(hole["capacity"])) if hole["kind"] else None)
        start = hole.end()
    parts.append(html[start:])
    return _KeptPage(parts, holes)


def servable() -> bool:
    """A stranger opening the form: its kept page fits them."""
    return (request.method == "GET" and not request.query_string and "_flashes" not in session
            and not current_user.is_authenticated)


def serve(meeting: Meeting, render) -> str:
    """The form page for a stranger: kept per (meeting version, language, full), its holes filled now.
    `render(**context)` renders the page afresh with `context` added (the holes, `full`)."""
    full = waitlist.meeting_is_full(meeting)

    def render_kept() -> _KeptPage:
        return _kept_page(render(full=full, places_hint=_places_hole, counts={}, signup_counts={}), generate_csrf())

    # The script root is in every link (url_for), and may come from the request (X-Forwarded-Prefix).
    key = ("registration-page", *meeting.content_key, current_language(), full, request.script_root)
    page = kept(key, render_kept)
    counts = {name: waitlist.place_counts(kind, [_Place(place_id, capacity) for hole_kind, place_id, capacity
                                                 in filter(None, page.holes) if hole_kind == name], waiting=False)
              for name, kind in _KINDS.items()}
    token = generate_csrf()
    filled = [page.parts[0]]
    for hole, part in zip(page.holes, page.parts[1:]):
        if hole is None:
            filled.append(token)
        else:
            kind, place_id, capacity = hole
            filled.append(places_hint(kind, place_id, counts[kind].get(place_id), capacity))
        filled.append(part)
    return "".join(filled)
