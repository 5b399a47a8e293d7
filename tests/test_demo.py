"""The demo meeting loads once, with a realistic programme, and its organiser can sign in."""
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession
from portmeet.registration.models import OutboxMessage, Registration, RegistrationStatus


def test_demo_loads_once_and_is_public(app, runner, client):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "Already there" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1
        meeting = db.session.scalar(select(Meeting))
        assert len(meeting.days) == 2
        assert db.session.scalar(select(func.count(ProgrammeSession.id))) >= 10
        visits = db.session.scalars(select(FieldVisit)).all()
        assert 3 <= len(visits) <= 4
        assert any(v.transport.value == "boat" and v.requires_id for v in visits)
        countries = {s.country for session in meeting.sessions for s in session.speakers}
        assert len(countries) >= 4
        delegates = db.session.scalars(select(Registration).where(Registration.meeting_id == meeting.id)).all()
        assert len(delegates) >= 20 and len({r.country for r in delegates}) >= 8
        assert all(r.status == RegistrationStatus.confirmed for r in delegates)
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # fictitious people get no mail
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "Boat tour of the port area" in page
    client.login("organiser@portmeet.example", "portmeet-demo")
    assert client.get(f"/manage/meetings/{meeting.slug}/").status_code == 200
    table = client.get(f"/manage/meetings/{meeting.slug}/registrations").get_data(as_text=True)
    assert "Παπαδοπούλου" in table and "Etxeberria" in table


def test_demo_refuses_to_create_its_known_organiser_password_in_production(tmp_path):
    """`flask demo` on a production site would publish a working organiser password."""
    import os
    import sqlite3

    from tests import fresh_python

    env = {**os.environ, "PORTMEET_ENV": "production", "SECRET_KEY": "3f9c1e7a5b2d8064c1f7e9a3b5d2c8e0417a9b3c",
           "PORTMEET_BASE_URL": "https://portmeet.example", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"}
    upgrade = fresh_python.flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    result = fresh_python.flask("demo", env=env)
    assert result.returncode != 0 and "refused in production" in result.stderr
    with sqlite3.connect(tmp_path / "p.sqlite") as connection:
        assert connection.execute("select count(*) from users").fetchone()[0] == 0


def test_the_demos_farewell_dinner_takes_sign_ups_and_one_delegate_waits(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    client.login("organiser@portmeet.example", "portmeet-demo")
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        dinner = next(s for s in meeting.sessions if s.capacity is not None)
        assert dinner.kind.value == "social" and dinner.capacity == 20
        slug = meeting.slug
    rows = client.get(f"/manage/meetings/{slug}/catering.csv").get_data(as_text=True).splitlines()
    totals = [row for row in rows if ",total," in row]
    assert any(row.startswith("Lunch,") and row.endswith(",total,,23,,,,,,") for row in totals)
    assert any(row.startswith(f"{dinner.title},") and row.endswith(",total,,20,,,,,,") for row in totals)
