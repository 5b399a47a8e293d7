"""ID-document data lives only as long as needed: cleared on cancellation, only in a visit's manifest for
its booked delegates, purged by the cron command after the meeting, never typed back in after that."""
import csv
import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from portmeet.audit.models import AuditEntry
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import BookingStatus, Registration, VisitBooking
from portmeet.timeutil import utcnow

ID = dict(nationality="FR", id_number="X1234567", date_of_birth=date(1980, 1, 2))


def _registration(app, registration_id):
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        db.session.expunge(registration)
        return registration


def test_cancelling_clears_the_id_data(app, client, make_meeting, make_visit, make_registration):
    meeting = make_meeting()
    visit = make_visit(meeting, requires_id=True)
    registration = make_registration(meeting, visits=(visit,), **ID)
    assert client.post_form(f"/registrations/{registration.token}/cancel").status_code == 303
    stored = _registration(app, registration.id)
    assert (stored.nationality, stored.id_number, stored.date_of_birth) == (None, None, None)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "id_data.cleared"))
        assert entry.details == {"reason": "cancelled"} and "X1234567" not in str(entry.details)


def test_id_data_is_only_in_the_manifest_for_booked_delegates(app, client, make_meeting, make_visit,
                                                              make_registration, organiser):
    meeting = make_meeting()
    visit = make_visit(meeting, requires_id=True, capacity=1)
    make_registration(meeting, visits=(visit,), last_name="Booked", **ID)
    waiting = make_registration(meeting, last_name="Waiting", **dict(ID, id_number="W7654321"))
    with app.app_context():
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=visit.id, status=BookingStatus.waitlisted))
        db.session.commit()
    client.login(organiser.email)
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/manage/meetings/{meeting.slug}/visits/{visit.id}/manifest.csv").get_data().decode("utf-8-sig"))))
    by_name = {row["last name"]: row for row in rows}
    assert by_name["Booked"]["ID document number"] == "X1234567"
    assert by_name["Waiting"]["ID document number"] == ""
    general = client.get(f"/manage/meetings/{meeting.slug}/registrations.csv").get_data().decode("utf-8-sig")
    assert "X1234567" not in general and "W7654321" not in general
    pdf = client.get(f"/manage/meetings/{meeting.slug}/visits/{visit.id}/manifest.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "X1234567" in text and "Waiting" in text and "W7654321" not in text


def test_send_reminders_purges_id_data_after_the_retention_period_and_the_purge_sticks(
        app, client, runner, make_meeting, make_visit, make_registration, organiser):
    retention = app.config["ID_DATA_RETENTION_DAYS"]
    ended = make_meeting(start_date=utcnow().date() - timedelta(days=retention + 3))
    recent = make_meeting(start_date=utcnow().date() - timedelta(days=2))
    old_visit, recent_visit = make_visit(ended, requires_id=True), make_visit(recent, requires_id=True)
    old = make_registration(ended, visits=(old_visit,), **ID)
    kept = make_registration(recent, visits=(recent_visit,), **ID)
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "ID data purge (registrations): 1" in first.output
    again = runner.invoke(args=["send-reminders"])
    assert "ID data purge (registrations): 0" in again.output  # idempotent
    assert _registration(app, old.id).id_number is None
    assert _registration(app, kept.id).id_number == "X1234567"  # still within its retention period
    with app.app_context():
        assert db.session.get(Meeting, ended.id).id_data_purged_at is not None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "id_data.purged"))
        assert entry.actor_kind == "system" and entry.details["automatic"] is True

    # Staff cannot type ID data back in after the purge.
    client.login(organiser.email)
    form = {"first_name": "Delegate", "last_name": "Again", "email": old.email, "organisation": "Port of Genoa",
            "country": "IT", "category": "delegate", "visits": [str(old_visit.id)], "nationality": "FR",
            "id_number": "NEW999", "date_of_birth": "1980-01-02"}
    response = client.post_form(f"/manage/meetings/{ended.slug}/registrations/{old.id}/edit", form)
    assert response.status_code == 400
    assert "can no longer be entered" in response.get_data(as_text=True)
    assert _registration(app, old.id).id_number is None
