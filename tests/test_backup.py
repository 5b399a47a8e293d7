"""`flask backup` dumps a meeting as JSON and `flask restore` reads it back with nothing lost."""
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from config import TestConfig
from portmeet import create_app
from portmeet.backup import dump_meeting, without_timestamp
from portmeet.demo import DELEGATES, DEMO_SLUG
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.questions.models import Answer, Question, QuestionKind
from portmeet.registration.models import BookingStatus, Companion, RegistrationStatus, VisitBooking
from portmeet.registration.service import registration_by_token


@pytest.fixture
def demo_with_registrations(app, runner, make_registration, make_user):
    """The demo meeting, a host, and delegates: booked, waitlisted, cancelled, with ID data and any script."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.slug == DEMO_SLUG))
        boat, centre = meeting.visits[0], meeting.visits[1]
        db.session.expunge_all()
    make_user(email="host@example.org", hosts=(meeting,))
    registrations = [
        make_registration(meeting, visits=(boat,), first_name="Ελένη", last_name="Παπαδοπούλου", country="GR",
                          nationality="GR", id_number="AB123456", date_of_birth=date(1980, 2, 29),
                          dietary="vegetarian", badge_name="Eleni P."),
        make_registration(meeting, visits=(boat, centre), first_name="Noa", last_name="לוי", country="IL",
                          consent_list=False, checked_in_at=datetime(2026, 1, 2, 8, 30)),
        make_registration(meeting, visits=(centre,), first_name="Jan", last_name="de Vries", country="NL",
                          status=RegistrationStatus.cancelled, cancelled_at=datetime(2026, 1, 3, 12, 0)),
    ]
    with app.app_context():
        # Questions of the host's own, one asked only of the boat's passengers, and their answers.
        hat = Question(meeting_id=meeting.id, kind=QuestionKind.choice, label="Hard hat size", choices=["S", "M", "L"],
                       translations={"fr": {"label": "Taille du casque", "choices": ["S", "M", "L"]}},
                       visit_id=boat.id, required=True, on_manifest=True, position=1)
        nights = Question(meeting_id=meeting.id, kind=QuestionKind.number, label="Nights at the hotel",
                          min_value=Decimal("0.5"), max_value=Decimal("14"), position=2)
        db.session.add_all([hat, nights])
        db.session.flush()
        db.session.add_all([Answer(registration_id=registrations[0].id, question_id=hat.id, value="M"),
                            Answer(registration_id=registrations[0].id, question_id=nights.id, value="3"),
                            Answer(registration_id=registrations[1].id, question_id=hat.id, value="L")])
        # The second delegate brings a partner, booked on the boat.
        partner = Companion(registration_id=registrations[1].id, first_name="Dana", last_name="לוי", country="IL",
                            diets="vegan")
        db.session.add(partner)
        db.session.flush()
        db.session.add(VisitBooking(registration_id=registrations[1].id, companion_id=partner.id, visit_id=boat.id))
        # The last pick of the second delegate is on the waitlist.
        db.session.execute(update(VisitBooking).where(VisitBooking.registration_id == registrations[1].id,
                                                      VisitBooking.visit_id == centre.id)
                           .values(status=BookingStatus.waitlisted))
        db.session.commit()
    return meeting, registrations


def _restore_app(tmp_path):
    config = type("RestoreTarget", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/restored.sqlite"})
    target = create_app(config)
    with target.app_context():
        db.create_all()
    return target


def test_backup_then_restore_into_an_empty_database_loses_nothing(app, runner, demo_with_registrations, tmp_path):
    meeting, registrations = demo_with_registrations
    backup_file = tmp_path / "valencia.json"
    result = runner.invoke(args=["backup", DEMO_SLUG, "--output", str(backup_file), "--with-id-data", "--with-links"])
    assert result.exit_code == 0, result.output
    dumped = json.loads(backup_file.read_text(encoding="utf-8"))
    assert dumped["meeting"]["slug"] == DEMO_SLUG and dumped["meeting"]["start_date"] == meeting.start_date.isoformat()
    assert len(dumped["sessions"]) >= 10 and len(dumped["visits"]) == 4 and len(dumped["registrations"]) == len(DELEGATES) + 3
    added = dumped["registrations"][-3:]  # after the demo's own delegates
    assert added[0]["last_name"] == "Παπαδοπούλου" and added[0]["date_of_birth"] == "1980-02-29"
    assert "token" not in json.dumps(dumped).replace("token_hash", "")  # only hashes, never a working link

    target = _restore_app(tmp_path)
    with target.app_context():
        from portmeet.accounts.service import create_user
        create_user("host@example.org", "Hanna Host", "correct-horse-42")
        db.session.commit()
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "Restored meeting /meetings/citizen-port-meeting-valencia/" in result.output

    with target.app_context():
        restored = without_timestamp(dump_meeting(DEMO_SLUG))
        # The private links still open the delegates' own registrations.
        assert registration_by_token(registrations[0].token).last_name == "Παπαδοπούλου"
        db.engine.dispose()
    with app.app_context():
        original = without_timestamp(dump_meeting(DEMO_SLUG))
    assert restored == original
    assert restored["hosts"] == ["host@example.org"]
    statuses = [[b["status"] for b in r["bookings"]] for r in restored["registrations"][-3:]]
    assert statuses == [["booked"], ["booked", "waitlisted"], ["booked"]]
    assert [(q["label"], q["visit"], q["min_value"]) for q in restored["questions"]] == [
        ("Hard hat size", 0, None), ("Nights at the hotel", None, "0.50")]
    answers = [[(a["question"], a["value"]) for a in r["answers"]] for r in restored["registrations"][-3:]]
    assert answers == [[(0, "M"), (1, "3")], [(0, "L")], []]
    partner, = restored["registrations"][-2]["companions"]
    assert (partner["first_name"], partner["diets"], [(b["visit"], b["status"]) for b in partner["bookings"]]) == \
        ("Dana", "vegan", [(0, "booked")])
    assert [b["visit"] for b in restored["registrations"][-2]["bookings"]] == [0, 1]  # the delegate's own, apart


def test_restore_on_this_database_after_the_meeting_was_deleted(app, runner, demo_with_registrations, tmp_path):
    backup_file = tmp_path / "valencia.json"
    assert runner.invoke(args=["backup", DEMO_SLUG, "-o", str(backup_file)]).exit_code == 0
    with app.app_context():
        original = without_timestamp(dump_meeting(DEMO_SLUG))
        db.session.delete(db.session.scalar(select(Meeting).where(Meeting.slug == DEMO_SLUG)))
        db.session.commit()
        assert db.session.scalar(select(FieldVisit.id)) is None
    result = runner.invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert without_timestamp(dump_meeting(DEMO_SLUG)) == original


def test_restore_refuses_a_meeting_that_is_already_there(app, runner, demo_with_registrations, tmp_path):
    backup_file = tmp_path / "valencia.json"
    assert runner.invoke(args=["backup", DEMO_SLUG, "-o", str(backup_file)]).exit_code == 0
    result = runner.invoke(args=["restore", str(backup_file)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(Meeting)).all()) == 1


def test_backup_to_stdout_and_errors_are_plain_messages(runner, demo_with_registrations, tmp_path):
    result = runner.invoke(args=["backup", DEMO_SLUG])
    assert result.exit_code == 0
    assert json.loads(result.output)["format"] == "portmeet-meeting-backup"
    result = runner.invoke(args=["backup", "no-such-meeting"])
    assert result.exit_code != 0 and "No meeting has the address name" in result.output
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps({"format": "portmeet-meeting-backup", "version": 1, "meeting": {}}))
    result = runner.invoke(args=["restore", str(damaged)])
    assert result.exit_code != 0 and "incomplete or damaged" in result.output
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    result = runner.invoke(args=["restore", str(not_json)])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_backup_leaves_id_data_and_links_out_unless_asked_and_only_its_owner_reads_it(
        app, runner, demo_with_registrations, tmp_path):
    import stat

    backup_file = tmp_path / "plain.json"
    assert runner.invoke(args=["backup", DEMO_SLUG, "--output", str(backup_file)]).exit_code == 0
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    dumped = json.loads(backup_file.read_text(encoding="utf-8"))
    for registration in dumped["registrations"]:
        assert not {"nationality", "id_number", "date_of_birth", "token_hash", "links"} & set(registration)
