"""Every absolute link comes from PORTMEET_BASE_URL, never from the request's Host header."""
import re

import pytest
from sqlalchemy import select

from config import ProductionConfig, TestConfig
from portmeet import create_app
from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage

STRONG_KEY = "3f9c1e7a5b2d8064c1f7e9a3b5d2c8e0417a9b3c5d7e1f2a"


def _bodies(app):
    with app.app_context():
        return [m.body for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_forged_host_never_reaches_the_e_mailed_link(app, client, make_meeting, make_registration):
    app.config.update(BASE_URL="https://meet.example.org", WTF_CSRF_ENABLED=False)  # the attacker's own session
    meeting = make_meeting()
    make_registration(meeting, email="ana@example.org")
    response = client.post(f"/meetings/{meeting.slug}/resend-link", data={"email": "ana@example.org"},
                           headers={"Host": "attacker.example"})
    assert response.status_code == 303
    body = _bodies(app)[-1]
    assert "attacker.example" not in body
    assert re.search(r"https://meet\.example\.org/registrations/[\w-]{20,}", body)


def test_calendar_uids_and_badge_qr_links_use_the_base_url(app, client, make_meeting, make_session):
    app.config["BASE_URL"] = "https://meet.example.org/portmeet"
    meeting = make_meeting()
    make_session(meeting)
    ics = client.get(f"/meetings/{meeting.slug}/programme.ics", headers={"Host": "attacker.example"})
    assert b"@meet.example.org" in ics.data and b"attacker" not in ics.data
    with app.test_request_context("/", headers={"Host": "attacker.example"}):
        from portmeet.documents.service import checkin_url
        from portmeet.registration.models import Registration

        registration = Registration(id=7, meeting_id=meeting.id)
        assert checkin_url(registration, meeting).startswith(
            f"https://meet.example.org/portmeet/manage/meetings/{meeting.slug}/checkin/")


class _Production(ProductionConfig):
    SECRET_KEY = STRONG_KEY
    BASE_URL = "https://meet.example.org"
    SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI


@pytest.mark.parametrize("host, status", [("meet.example.org", 200), ("attacker.example", 400),
                                          ("meet.example.org.attacker.example", 400)])
def test_production_answers_only_to_its_own_host(make_meeting, host, status):
    make_meeting()  # builds the shared PostgreSQL schema when the suite runs there
    app = create_app(_Production)
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
            db.create_all()
    response = app.test_client().get("/", base_url=f"https://{host}")
    assert response.status_code == status
    with app.app_context():
        db.engine.dispose()


def test_a_malformed_base_url_refuses_to_start():
    config = type("Bad", (_Production,), {"BASE_URL": "meet.example.org"})
    with pytest.raises(RuntimeError, match="PORTMEET_BASE_URL"):
        create_app(config)
