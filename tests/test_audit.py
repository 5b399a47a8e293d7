"""The audit trail: who did what on a meeting, and when; shown on the activity page, never with ID values."""
from datetime import date

from sqlalchemy import select

from portmeet import audit
from portmeet.audit.models import AuditEntry
from portmeet.extensions import db


def _entries(app, **where):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return [(e.kind, e.actor_kind, e.actor_name, e.subject_label, e.details) for e in db.session.scalars(query)]


def test_activity_page_lists_a_manifest_export_with_who_and_when(app, client, make_meeting, make_visit,
                                                                 make_registration, make_user):
    meeting = make_meeting()
    visit = make_visit(meeting, title="Port security tour", requires_id=True)
    make_registration(meeting, visits=(visit,), nationality="FR", id_number="X1234567",
                      date_of_birth=date(1980, 1, 2))
    host = make_user(email="host@example.org", hosts=(meeting,))
    client.login(host.email)
    assert client.get(f"/manage/meetings/{meeting.slug}/visits/{visit.id}/manifest.csv").status_code == 200

    page = client.get(f"/manage/meetings/{meeting.slug}/activity").get_data(as_text=True)
    assert "Visit manifest exported" in page and "host@example.org" in page and "Port security tour" in page
    assert "<time datetime=" in page
    assert "X1234567" not in page
    assert ("export.manifest", "account", "host@example.org", "Port security tour", {"format": "csv"}) \
        in _entries(app, meeting_id=meeting.id)


def test_activity_filters_by_kind_and_pages(app, client, make_meeting, organiser):
    meeting = make_meeting()
    with app.app_context():
        for n in range(60):
            audit.record(meeting, "meeting.changed", audit.SYSTEM, details={"fields": [f"f{n}"]})
        audit.record(meeting, "export.badges", audit.SYSTEM, details={"layout": "a6"})
        db.session.commit()
    client.login(organiser.email)
    first = client.get(f"/manage/meetings/{meeting.slug}/activity").get_data(as_text=True)
    assert "Page 1 of 2" in first and "layout: a6" in first  # newest first
    second = client.get(f"/manage/meetings/{meeting.slug}/activity?page=2").get_data(as_text=True)
    assert "f0" in second
    only_exports = client.get(f"/manage/meetings/{meeting.slug}/activity?kind=export").get_data(as_text=True)
    assert "layout: a6" in only_exports and "f59" not in only_exports
    assert client.get(f"/manage/meetings/{meeting.slug}/activity?page=x").status_code == 400


def test_activity_page_is_404_for_a_host_of_another_meeting_and_anonymous(client, make_meeting, make_user):
    meeting, other = make_meeting(), make_meeting()
    assert client.get(f"/manage/meetings/{meeting.slug}/activity").status_code == 302
    client.login(make_user(hosts=(other,)).email)
    assert client.get(f"/manage/meetings/{meeting.slug}/activity").status_code == 404


def test_sign_ins_failed_and_successful_are_recorded(app, client, make_user):
    make_user(email="host@example.org")
    client.post_form("/login", {"email": "host@example.org", "password": "wrong-password"})
    client.login("host@example.org")
    kinds = [(kind, actor) for kind, actor, *_ in _entries(app)]
    assert ("account.sign_in_failed", "account") in kinds and ("account.signed_in", "account") in kinds
    assert all("wrong-password" not in str(entry) for entry in _entries(app))


def test_programme_and_host_changes_are_recorded_with_the_fields_changed(app, client, make_meeting, make_visit,
                                                                        organiser, make_user):
    meeting = make_meeting()
    visit = make_visit(meeting)
    make_user(email="hanna@example.org")
    client.login(organiser.email)
    form = {"title": visit.title, "description": "", "day": visit.day.isoformat(), "start_time": "15:00",
            "end_time": "17:00", "meeting_point": "Pier 3", "transport": "boat", "capacity": "25"}
    assert client.post_form(f"/manage/meetings/{meeting.slug}/visits/{visit.id}/edit", form).status_code == 303
    client.post_form(f"/manage/meetings/{meeting.slug}/hosts", {"email": "hanna@example.org"})
    entries = _entries(app, meeting_id=meeting.id)
    assert ("visit.changed", "account", organiser.email, visit.title, {"fields": ["capacity"]}) in entries
    assert ("host.added", "account", organiser.email, "Hanna Host", {}) in entries


def test_registration_page_shows_its_history_and_logs_the_view_of_id_data(app, client, make_meeting, make_visit,
                                                                         make_registration, organiser):
    meeting = make_meeting()
    visit = make_visit(meeting, requires_id=True)
    registration = make_registration(meeting, visits=(visit,), nationality="FR", id_number="X1234567",
                                     date_of_birth=date(1980, 1, 2))
    client.login(organiser.email)
    client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}")
    page = client.get(f"/manage/meetings/{meeting.slug}/registrations/{registration.id}").get_data(as_text=True)
    assert "History" in page and "ID data viewed" in page
    assert [kind for kind, *_ in _entries(app, subject_type="registrations", subject_id=registration.id)] == ["id_data.viewed"] * 2


def test_secret_details_are_never_written(app, make_meeting):
    meeting = make_meeting()
    with app.app_context():
        audit.record(meeting, "registration.changed", audit.DELEGATE,
                     details={"id_number": "X1", "token": "abc", "new_password": "pw", "fields": ["email"]})
        db.session.commit()
    assert _entries(app, meeting_id=meeting.id)[0][4] == {"fields": ["email"]}


def test_views_of_needs_and_arrivals_at_the_desk_are_recorded(app, client, make_meeting, make_registration,
                                                             organiser):
    meeting = make_meeting()
    needs = make_registration(meeting, diets="halal", accessibility="Wheelchair user")
    plain = make_registration(meeting)
    client.login(organiser.email)
    client.get(f"/manage/meetings/{meeting.slug}/registrations/{needs.id}")
    client.get(f"/manage/meetings/{meeting.slug}/registrations/{plain.id}")  # nothing personal to show
    assert client.post_form(f"/manage/meetings/{meeting.slug}/checkin/{needs.id}/arrival").status_code == 303
    assert client.post_form(f"/manage/meetings/{meeting.slug}/checkin/{needs.id}/undo").status_code == 303
    entries = _entries(app, subject_type="registrations", subject_id=needs.id)
    assert [(kind, actor, who) for kind, actor, who, *_ in entries] == [
        ("needs.viewed", "account", organiser.email), ("checkin.arrived", "account", organiser.email),
        ("checkin.undone", "account", organiser.email)]
    assert entries[0][4] == {"shown": ["dietary needs", "accessibility needs"], "page": "registration"}
    assert _entries(app, subject_type="registrations", subject_id=plain.id) == []
    # Nothing of the needs themselves goes into the trail, which every host of the meeting reads.
    assert "halal" not in str(entries) and "Wheelchair" not in str(entries)
