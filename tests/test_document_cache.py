"""The programme, badge sheets and attendee lists are rendered once per version of what they show, kept in
the database for every worker; a meeting holds at most MAX_SESSIONS_PER_MEETING sessions (and visits)."""
from sqlalchemy import func, select

from documents_support import manager_client, pdf_text, read_pdf
from portmeet.audit.models import AuditEntry
from portmeet.documents.cache import CachedDocument
from portmeet.extensions import db
from portmeet.meetings.models import ProgrammeSession
from portmeet.registration.models import Registration


def _cached(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CachedDocument))


def test_the_programme_pdf_is_cached_shared_and_replaced_when_the_programme_changes(app, client, make_meeting,
                                                                                   make_session, organiser):
    meeting = make_meeting()
    make_session(meeting, title="Opening plenary")
    first = client.get(f"/meetings/{meeting.slug}/programme.pdf")
    assert first.status_code == 200 and _cached(app) == 1
    other_worker = app.test_client()  # same database, another client: served from the cache
    assert other_worker.get(f"/meetings/{meeting.slug}/programme.pdf").data == first.data
    assert _cached(app) == 1
    client.login(organiser.email)
    form = {"day": meeting.start_date.isoformat(), "start_time": "11:00", "end_time": "12:00",
            "title": "Port and city debate", "kind": "debate", "room": "Hall B", "description": "", "speakers": ""}
    assert client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new", form).status_code == 303
    changed = other_worker.get(f"/meetings/{meeting.slug}/programme.pdf")
    assert changed.data != first.data and b"%PDF" == changed.data[:4] and _cached(app) == 2


def test_a_meeting_refuses_a_session_beyond_the_cap_with_a_clear_message(app, client, make_meeting, organiser):
    meeting = make_meeting()
    app.config["MAX_SESSIONS_PER_MEETING"] = 3
    with app.app_context():
        for n in range(3):
            db.session.add(ProgrammeSession(meeting_id=meeting.id, day=meeting.start_date, start_time=__import__(
                "datetime").time(8 + n), end_time=__import__("datetime").time(9 + n), title=f"S{n}"))
        db.session.commit()
    client.login(organiser.email)
    form = {"day": meeting.start_date.isoformat(), "start_time": "15:00", "end_time": "16:00", "title": "One more",
            "kind": "plenary", "room": "", "description": "", "speakers": ""}
    response = client.post_form(f"/manage/meetings/{meeting.slug}/sessions/new", form)
    assert response.status_code == 400
    assert "at most 3 sessions" in response.get_data(as_text=True)


def _exports(app, kind):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind == kind))


def _rename(app, registration, **fields):
    with app.app_context():
        row = db.session.get(Registration, registration.id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def test_a_badge_sheet_is_printed_once_until_a_printed_field_changes(app, client, make_user, make_meeting,
                                                                     make_registration):
    meeting = make_meeting()
    ana = make_registration(meeting, first_name="Ana", last_name="Ruiz", organisation="Port of Bilbao")
    make_registration(meeting, first_name="Nikos", last_name="Kazantzakis")
    manager = manager_client(client, make_user, meeting)
    url = f"/manage/meetings/{meeting.slug}/badges.pdf"
    first = manager.get(url)
    assert "Ana Ruiz" in pdf_text(read_pdf(first)) and _cached(app) == 1
    assert manager.get(url).data == first.data and _cached(app) == 1  # from the cache
    assert _exports(app, "export.badges") == 2  # every download is still in the audit trail
    _rename(app, ana, organisation="Autoridad Portuaria de Bilbao")
    changed = manager.get(url)
    assert "Autoridad Portuaria de Bilbao" in pdf_text(read_pdf(changed))
    assert _cached(app) == 1  # the old sheet, with its personal data, is gone
    french = manager.get(url + "?lang=fr&layout=a6")
    assert "DÉLÉGUÉ" in pdf_text(read_pdf(french)) and _cached(app) == 2  # another document
    late = manager.get(url + f"?ids={ana.id}")
    assert "Ana Ruiz" in pdf_text(read_pdf(late)) and _cached(app) == 2  # a few late badges: not kept


def test_the_attendee_list_is_printed_once_until_a_row_changes(app, client, make_user, make_meeting,
                                                               make_registration):
    from portmeet.registration.models import RegistrationStatus

    meeting = make_meeting()
    make_registration(meeting, first_name="Ana", last_name="Ruiz")
    waiting = make_registration(meeting, first_name="Wanda", last_name="Waiting", status=RegistrationStatus.waitlisted)
    manager = manager_client(client, make_user, meeting)
    url = f"/manage/meetings/{meeting.slug}/attendees.pdf"
    first = manager.get(url)
    assert "Ruiz" in pdf_text(read_pdf(first)) and "Waiting" not in pdf_text(read_pdf(first))
    assert app.test_client().get(url).status_code in (302, 303, 401)  # the cache opens nothing to others
    assert manager.get(url).data == first.data and _cached(app) == 1
    assert "Waiting" in pdf_text(read_pdf(manager.get(url + "?waitlist=y"))) and _cached(app) == 2
    _rename(app, waiting, status=RegistrationStatus.confirmed)
    assert "Waiting" in pdf_text(read_pdf(manager.get(url))) and _cached(app) == 2
