"""One person's picks (a delegate's or an accompanying person's): which of the meeting's visits and
events they name, no two overlapping, and the ID data port security needs, before each visit's deadline."""
from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.registration import waitlist

ID_FIELDS = ("nationality", "id_number", "date_of_birth")


def picked_visits(meeting: Meeting, visit_ids) -> list[FieldVisit]:
    """The meeting's visits among the picked ids (ids of other meetings are ignored), in time order."""
    wanted = {int(v.id if isinstance(v, FieldVisit) else v) for v in (visit_ids or ())}
    return [visit for visit in meeting.visits if visit.id in wanted]


def picked_sessions(meeting: Meeting, session_ids) -> list[ProgrammeSession]:
    """The meeting's meals and social events taking sign-ups among the picked ids (others are ignored),
    in time order."""
    wanted = {int(s.id if isinstance(s, ProgrammeSession) else s) for s in (session_ids or ())}
    if not wanted:
        return []
    return [session for session in waitlist.signup_sessions(meeting) if session.id in wanted]


def id_given(value) -> bool:
    return value not in (None, "")


def pick_problems(visits: list[FieldVisit], id_data: dict, today: date, person=None, *, deadlines: bool = True,
                  companion: bool = False) -> list[tuple[str, str]]:
    """(field, message) for every rule the picks break: overlapping visits, ID data missing for a
    visit that needs it, ID data given or a visit newly picked after that visit's ID deadline.
    `person`: the registration (or, with `companion`, the accompanying person) whose picks these are, if
    saved already; `id_data` values left empty mean "keep what they already hold"."""
    problems: list[tuple[str, str]] = []
    for i, first in enumerate(visits):
        for second in visits[i + 1:]:
            if first.overlaps(second):
                problems.append(("visits", _("“%(first)s” and “%(second)s” overlap in time; pick only one of them.",
                                             first=first.title, second=second.title)))
    needing_id = [visit for visit in visits if visit.requires_id]
    if not needing_id or needing_id[0].meeting.id_data_purged_at is not None:
        return problems  # after the purge, ID data is neither asked for nor taken (see _apply_id_data)
    already = {b.visit_id for b in person.bookings} if person is not None else set()
    stored = {name: getattr(person, name) if person is not None else None for name in ID_FIELDS}
    changed = any(id_given(id_data.get(name)) and id_data.get(name) != stored[name] for name in ID_FIELDS)
    # The quotes are the language's own: « » in French.
    titles = ", ".join(_("“%(title)s”", title=visit.title) for visit in needing_id)
    labels = {"nationality": _("your nationality"), "id_number": _("your ID document number"),
              "date_of_birth": _("your date of birth")} if not companion else {
        "nationality": _("the accompanying person's nationality"),
        "id_number": _("the accompanying person's ID document number"),
        "date_of_birth": _("the accompanying person's date of birth")}
    for name in ID_FIELDS:
        if not id_given(id_data.get(name)) and not id_given(stored[name]):
            problems.append((name, _("Port security needs %(what)s for %(visits)s.", what=labels[name], visits=titles)))
    for visit in needing_id:
        if not deadlines or visit.id_deadline is None or today <= visit.id_deadline:
            continue
        if visit.id not in already:
            problems.append(("visits", _("The deadline for ID data for “%(visit)s” was %(date)s; it can no longer "
                                         "be picked.", visit=visit.title, date=format_date(visit.id_deadline, "long"))))
        elif changed:
            problems.append(("id_number", _("The deadline for ID data for “%(visit)s” was %(date)s; please ask the "
                                            "organisers to change it.", visit=visit.title,
                                            date=format_date(visit.id_deadline, "long"))))
    return problems
