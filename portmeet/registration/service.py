"""Registration rules: registering, changing picks, cancelling, the private link, ID data.

Places are counted, locked and promoted by `registration.waitlist` (its module docstring gives the
lock order); the e-mails are queued through `registration.mail`. Functions add and flush; the caller
commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from portmeet.accounts.models import normalize_email
from portmeet import audit
from portmeet.direct_insert import insert_with_children
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.questions.service import save_answers
from portmeet.registration import companions as companion_rules
from portmeet.registration import mail, visa, waitlist
from portmeet.registration.errors import AlreadyRegistered, RegistrationError
from portmeet.registration.picks import (  # noqa: F401 (picked_visits, pick_problems: used by forms)
    ID_FIELDS,
    id_given as _id_given,
    pick_problems,
    picked_sessions,
    picked_visits,
)
from portmeet.registration.models import (
    Category,
    Companion,
    Registration,
    RegistrationStatus,
)
from portmeet.timeutil import utcnow

PROFILE_FIELDS = (
    "first_name", "last_name", "badge_name", "email", "organisation", "job_title", "country", "phone",
    "dietary", "accessibility", "consent_list",
)
# Also ID data (same protection, same purge): the rest of the document, asked for a visa letter.
DOCUMENT_FIELDS = ("id_type", "id_expiry", "id_name")


def registration_by_token(token: str) -> Registration | None:
    """The registration whose live private link carries this token (only hashes are stored)."""
    from portmeet.registration.links import registration_by_token as by_link

    return by_link(token)


# --- checks shared by the forms and the functions below ---------------------------------------

def duplicate_registration(meeting: Meeting, email: str, exclude: Registration | None = None) -> Registration | None:
    """A live (not cancelled) registration of the meeting with this e-mail, case-insensitively."""
    query = select(Registration).where(
        Registration.meeting_id == meeting.id,
        Registration.email_normalized == normalize_email(email or ""),
        Registration.status != RegistrationStatus.cancelled,
    )
    if exclude is not None and exclude.id is not None:
        query = query.where(Registration.id != exclude.id)
    return db.session.scalar(query)


# --- the delegate's changes -----------------------------------------------------------------------

def _clean(value):
    return value.strip() if isinstance(value, str) else value


def _apply_profile(registration: Registration, data: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in data and name != "dietary":
            value = _clean(data[name])
            setattr(registration, name, bool(value) if name == "consent_list" else (value or ""))
    if "dietary" in data or "diets" in data:
        registration.set_dietary(data.get("diets", registration.diet_list if "diets" not in data else ()),
                                 _clean(data.get("dietary", registration.dietary)))
    if "category" in data and data["category"]:
        registration.category = Category(data["category"])
    if data.get("language"):
        registration.language = data["language"]
    registration.email_normalized = normalize_email(registration.email)


def clear_id_data(registration: Registration, reason: str = "") -> None:
    """Erase the registration's ID-document data (and say so in the audit trail, without the values)."""
    names = (*ID_FIELDS, *DOCUMENT_FIELDS)
    if any(getattr(registration, name) is not None for name in names):
        for name in names:
            setattr(registration, name, None)
        audit.record(registration.meeting_id, "id_data.cleared", subject=registration,
                     details={"reason": reason} if reason else {})


def _apply_id_data(registration: Registration, data: dict, visits: list[FieldVisit]) -> None:
    """ID data is kept only while a picked visit needs it or a visa letter is asked for; empty fields keep
    what was given. Once the meeting's ID data is purged, none can be entered again."""
    given = [name for name in (*ID_FIELDS, *DOCUMENT_FIELDS) if _id_given(_clean(data.get(name)))]
    if registration.meeting is not None and registration.meeting.id_data_purged_at is not None:
        if given:
            raise RegistrationError(_("The ID data of this meeting has been erased; it can no longer be entered."),
                                    given[0] if given[0] in ID_FIELDS else "id_number")
        return
    before = visa.passport_data(registration)
    wants_letter = data.get("needs_visa_letter", registration.needs_visa_letter)
    if not any(visit.requires_id for visit in visits) and not wants_letter:
        clear_id_data(registration, "no visit needs it")
    else:
        for name in (*ID_FIELDS, *DOCUMENT_FIELDS):
            value = _clean(data.get(name))
            if _id_given(value):
                if name == "nationality":
                    value = value.upper()
                elif name == "id_type":
                    value = visa.id_type(value)
                setattr(registration, name, value)
    visa.apply_request(registration, data, before)


def _check(meeting: Meeting, data: dict, visits: list[FieldVisit], registration: Registration | None,
           *, deadlines: bool = True, duplicates: bool = True) -> None:
    for name in ("first_name", "last_name", "email", "organisation", "country"):
        if name in data and not _clean(data[name]):
            raise RegistrationError(_("This field is required."), name)
    if duplicates and "email" in data and \
            duplicate_registration(meeting, data["email"], exclude=registration) is not None:
        raise RegistrationError(_("This e-mail address is already registered for this meeting."), "email")
    problems = pick_problems(visits, data, meeting.local_now().date(), registration, deadlines=deadlines)
    problems += visa.problems(meeting, data, registration)
    if problems:
        name, message = problems[0]
        raise RegistrationError(message, name)


def register(meeting: Meeting, data: dict, *, confirm_after_commit: bool = False) -> tuple[Registration, str]:
    """Register a delegate (web form, or a walk-in at the desk): a place at the meeting while the
    capacity allows, else the waitlist; then each picked visit likewise. Queues the confirmation
    e-mail with the private link; `confirm_after_commit` queues only its row with what was decided, and the
    sender writes its text (`mail.write_confirmations`), off the request. Returns the registration
    and its link's token (shown once). Raises RegistrationError when a rule refuses it. Does not look at
    the registration window."""
    visits = picked_visits(meeting, data.get("visits"))
    sessions = picked_sessions(meeting, data.get("signups"))
    _check(meeting, data, visits, None, duplicates=False)
    # The new row is made ready before the meeting's lock, which every other registration waits for: under it,
    # only what the counts decide. `bookings=[]`, `signups=[]`: a new row has none, no need to ask the database.
    # The language is the meeting's unless `data` names one. Not added to the session: written below with its
    # link and picks.
    registration = Registration(meeting=meeting, language=meeting.language, bookings=[], signups=[], companions=[],
                                links=[])
    _apply_profile(registration, data)
    _apply_id_data(registration, data, visits)
    token = registration.set_new_token()

    companions = data.get("companions") or []

    waitlist.lock_meeting(meeting)
    # One look-up by e-mail, under the lock and with the meeting's counts, serves both the duplicate check and
    # a delegate who cancelled and registers again: they get their old row back (the e-mail is unique per meeting).
    # The delegate's visits are locked and counted in the same statement (with accompanying persons, all their
    # places are locked together below).
    counts, registration_id, visit_counts = waitlist.registration_counts_and_visits(
        meeting, normalize_email(data.get("email") or ""), [visit.id for visit in visits] if not companions else [])
    new = registration_id is None
    if not new:
        registration = db.session.get(Registration, registration_id)
        if registration.status != RegistrationStatus.cancelled:
            raise AlreadyRegistered(_("This e-mail address is already registered for this meeting."), "email")
        _start_again(registration, data, visits)
        token = registration.set_new_token()
    promotions = waitlist.Promotions()
    counts = waitlist.fill_meeting(meeting, promotions, counts)
    has_place = counts[RegistrationStatus.confirmed] < meeting.capacity
    registration.status = RegistrationStatus.confirmed if has_place else RegistrationStatus.waitlisted
    # Last in line when waiting: the confirmation e-mail prints this without counting the queue again.
    registration.known_position = None if has_place else counts[RegistrationStatus.waitlisted] + 1
    registration.created_at = utcnow()  # taken under the lock: the waitlist order is the database's order
    if companions:  # every place of the delegate and their companions locked at once: visits, then sessions
        waitlist.lock_visits([visit.id for visit in visits] + [visit_id for row in companions for visit_id in row.visits])
        waitlist.lock_places(waitlist.SESSIONS, [session.id for session in sessions]
                             + [session_id for row in companions for session_id in row.signups])
    # The places' locks and counts need nothing of this registration's (its row has no bookings yet): it is
    # written with its bookings below, not once before them.
    with db.session.no_autoflush:
        # The visits' counts read with the meeting's, unless promotions changed their picks since.
        waitlist.book(registration, visits, promotions, counts=visit_counts if not promotions.registrations else None)
        waitlist.sign_up(registration, sessions, promotions)
    # The confirmation's row goes with a new registration's rows when nothing is written after them that it prints
    # (accompanying persons).
    intent = mail.confirmation_intent_of_new(registration, token) if new and confirm_after_commit and not companions \
        else None
    if new:  # one INSERT for each of its row, its link and its picks: not the ORM's flush (half the CPU)
        insert_with_children(registration, "links", "bookings", "signups", naming_it=[intent] if intent else ())
    companion_rules.add_companions(registration, companions, promotions)
    if data.get("answers"):  # a new registration has no earlier answers to drop
        save_answers(registration, data["answers"], [visit.id for visit in visits])
    db.session.flush()
    if confirm_after_commit and intent is None:
        mail.queue_confirmation_intent(registration, token)
    elif not confirm_after_commit:
        mail.queue_confirmation(registration, token)
    mail.queue_promotions(promotions, skip=registration)
    return registration, token


def _start_again(registration: Registration, data: dict, visits: list[FieldVisit]) -> None:
    """A cancelled registration registering again: a new start on its old row."""
    registration.bookings.clear()
    registration.signups.clear()
    registration.companions.clear()  # a new registration brings its own accompanying persons
    registration.cancelled_at = registration.checked_in_at = None
    for link in registration.links:  # a new registration: the links to the cancelled one stop
        link.revoked_at = link.revoked_at or utcnow()
    clear_id_data(registration, "registered again")
    registration.needs_visa_letter, registration.visa_letter = False, None
    _apply_profile(registration, data)
    _apply_id_data(registration, data, visits)


def update_registration(registration: Registration, data: dict, *, by_organiser: bool = False) -> None:
    """Change details and picks under the same rules as registering. A dropped pick frees its place
    for the oldest waiting pick; a new pick takes a place if one is left, else joins the waitlist."""
    if registration.status == RegistrationStatus.cancelled:
        raise RegistrationError(_("This registration was cancelled; it can no longer be changed."))
    meeting = registration.meeting
    waitlist.lock_meeting(meeting)
    visits = picked_visits(meeting, data["visits"]) if "visits" in data else [b.visit for b in registration.bookings]
    _check(meeting, data, visits, registration, deadlines=not by_organiser)

    promotions = waitlist.Promotions()
    dropped, added = waitlist.change_picks(waitlist.VISITS, registration.bookings, visits)
    dropped_sessions, added_sessions = _changed_signups(registration, data)
    db.session.flush()
    if dropped:
        waitlist.fill_visits(dropped, promotions)
    if dropped_sessions:
        waitlist.fill_places(waitlist.SESSIONS, dropped_sessions, promotions)
    _apply_profile(registration, data)
    _apply_id_data(registration, data, visits)
    waitlist.book(registration, added, promotions)
    waitlist.sign_up(registration, added_sessions, promotions)
    if "answers" in data:
        save_answers(registration, data["answers"], [visit.id for visit in visits])
    db.session.flush()
    if by_organiser:
        mail.queue_changed_by_organiser(registration)
    mail.queue_promotions(promotions, skip=registration)


def _changed_signups(registration: Registration, data: dict) -> tuple[list[int], list[ProgrammeSession]]:
    """Drop the sign-ups no longer picked (after the visits were locked: sessions come next in the lock
    order); returns (dropped session ids, sessions newly picked). Without `signups` in `data` nothing changes."""
    if "signups" not in data:
        return [], []
    return waitlist.change_picks(waitlist.SESSIONS, registration.signups,
                                 picked_sessions(registration.meeting, data["signups"]))


def cancel_registration(registration: Registration, *, by_organiser: bool = False) -> bool:
    """Cancel: frees the meeting place and the visit places, and promotes the waitlists.
    Returns False when it was already cancelled (nothing changes)."""
    if registration.status == RegistrationStatus.cancelled:
        return False
    meeting = registration.meeting
    waitlist.lock_meeting(meeting)
    # The places of the delegate and of the persons accompanying them (whose picks go with the delegate's).
    people = [registration, *registration.companions]
    visit_ids = sorted({booking.visit_id for person in people for booking in person.bookings})
    session_ids = sorted({signup.session_id for person in people for signup in person.signups})
    waitlist.lock_visits(visit_ids)
    waitlist.lock_places(waitlist.SESSIONS, session_ids)
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = utcnow()
    registration.bookings.clear()
    registration.signups.clear()
    companion_rules.drop_all(registration)
    clear_id_data(registration, "cancelled")  # a cancelled delegate goes on no visit
    db.session.flush()
    promotions = waitlist.Promotions()
    waitlist.fill_visits(visit_ids, promotions)
    waitlist.fill_places(waitlist.SESSIONS, session_ids, promotions)
    waitlist.fill_meeting(meeting, promotions)
    mail.queue_cancellation(registration, by_organiser=by_organiser)
    mail.queue_promotions(promotions)
    return True


def resend_link(meeting: Meeting, email: str) -> bool:
    """Mail one more private link to the delegate registered with this e-mail; the links they already
    have keep working (a stranger who knows the address can neither cut them off nor flood them: at most
    RESENDS_PER_HOUR links an hour). Returns whether a link was sent; the page never says."""
    from portmeet.registration.links import RESENDS_PER_HOUR, recent_links

    registration = duplicate_registration(meeting, email)
    if registration is None or recent_links(registration) >= RESENDS_PER_HOUR:
        return False
    token = registration.set_new_token()
    db.session.flush()
    mail.queue_link(registration, token)
    audit.record(meeting, "registration.link_sent", audit.SYSTEM, subject=registration)
    return True


def meeting_has_ended(meeting: Meeting, today: date | None = None) -> bool:
    return (today or meeting.local_now().date()) > meeting.end_date


def purge_id_data(meeting: Meeting, *, force: bool = False, automatic: bool = False) -> int:
    """Erase the ID-document data of every registration of the meeting (port security needs it no
    longer once the meeting is over). Refused before the meeting has ended unless forced.
    Returns how many registrations held some."""
    if not force and not meeting_has_ended(meeting):
        raise RegistrationError(_("The meeting has not ended yet (last day %(date)s); ID data is still needed.",
                                  date=format_date(meeting.end_date, "long")))
    holders = db.session.scalars(select(Registration).where(
        Registration.meeting_id == meeting.id,
        or_(*(getattr(Registration, name).is_not(None) for name in (*ID_FIELDS, *DOCUMENT_FIELDS))),
    )).all()
    for registration in holders:
        for name in (*ID_FIELDS, *DOCUMENT_FIELDS):  # one audit entry for the whole purge, below
            setattr(registration, name, None)
    # The accompanying persons' too, in one statement.
    companions = db.session.execute(
        update(Companion).where(
            Companion.registration_id.in_(select(Registration.id).where(Registration.meeting_id == meeting.id)),
            or_(*(getattr(Companion, name).is_not(None) for name in ID_FIELDS)))
        .values(**dict.fromkeys(ID_FIELDS)).execution_options(synchronize_session="fetch")
    ).rowcount
    meeting.id_data_purged_at = meeting.id_data_purged_at or utcnow()
    audit.record(meeting, "id_data.purged", audit.SYSTEM if automatic else None,
                 details={"registrations": len(holders), "accompanying persons": companions, "automatic": automatic})
    db.session.flush()
    return len(holders)


def masked(value: str | None) -> str:
    """A document number as the delegate's own page shows it: only the last two characters."""
    if not value:
        return ""
    return "•" * max(len(value) - 2, 4) + value[-2:]

