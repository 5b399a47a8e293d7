"""Field-visit roll call without JavaScript: guides mark delegates on board and back ashore with plain forms."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, RegistrationStatus, VisitBooking
from portmeet.checkin.tokens import checkin_token
from portmeet.timeutil import utcnow


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


@pytest.fixture
def boat(meeting, make_visit):
    return make_visit(meeting, title="Port tour by boat", capacity=3)


@pytest.fixture
def guide(client, make_user, meeting):
    make_user(email="guide@example.org", hosts=(meeting,))
    client.login("guide@example.org")
    return client


def page_url(meeting, visit, rest=""):
    return f"/manage/meetings/{meeting.slug}/visits/{visit.id}/boarding{rest}"


def booking(app, registration, visit) -> VisitBooking:
    with app.app_context():
        found = db.session.scalar(select(VisitBooking).where(VisitBooking.registration_id == registration.id,
                                                             VisitBooking.visit_id == visit.id))
        db.session.expunge(found)
        return found


def set_booking_status(app, registration, visit, status):
    with app.app_context():
        found = db.session.scalar(select(VisitBooking).where(VisitBooking.registration_id == registration.id,
                                                             VisitBooking.visit_id == visit.id))
        found.status = status
        db.session.commit()


def counts(html: str, step: str = "board") -> dict[str, int]:
    block = re.search(rf'<dl class="roll-counts for-{step}".*?</dl>', html, re.S).group(0)
    return {name: int(number) for name, number in re.findall(r'data-count="(\w+)">(\d+)<', block)}


def test_page_lists_booked_delegates_by_name_and_waiting_ones_apart(app, guide, meeting, boat, make_registration):
    make_registration(meeting, (boat,), first_name="Zoe", last_name="Zamora")
    make_registration(meeting, (boat,), first_name="Ana", last_name="Abad")
    waiting = make_registration(meeting, (boat,), first_name="Wim", last_name="Waiter")
    set_booking_status(app, waiting, boat, BookingStatus.waitlisted)

    html = guide.get(page_url(meeting, boat)).get_data(as_text=True)

    booked_part, waiting_part = html.split('id="waiting-heading"')
    assert booked_part.index("Abad") < booked_part.index("Zamora")
    assert "Waiter" not in booked_part and "Waiter" in waiting_part
    assert "Board anyway" in waiting_part
    assert counts(html) == {"booked": 2, "on_board": 0, "missing": 2}


def test_tapping_a_name_marks_them_on_board_once_with_the_time(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,), first_name="Ana", last_name="Abad")
    make_registration(meeting, (boat,))
    b = booking(app, ana, boat)

    response = guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#booking-{b.id}")
    first = booking(app, ana, boat).boarded_at
    assert first is not None and abs(first - utcnow()) < timedelta(minutes=1)

    again = guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"}, follow_redirects=True)
    assert "Ana Abad was already on board" in again.get_data(as_text=True)
    assert booking(app, ana, boat).boarded_at == first
    assert counts(again.get_data(as_text=True)) == {"booked": 2, "on_board": 1, "missing": 1}


def test_a_mark_queued_offline_keeps_the_time_of_the_tap(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    tapped = utcnow().replace(microsecond=0) - timedelta(minutes=40)
    at = int((tapped - utcnow().replace(year=1970, month=1, day=1, hour=0, minute=0, second=0, microsecond=0))
             .total_seconds() * 1000)

    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board", "at": str(at)})

    assert booking(app, ana, boat).boarded_at == tapped


def test_a_phone_clock_in_the_future_is_not_believed(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board", "at": "99999999999999"})
    assert abs(booking(app, ana, boat).boarded_at - utcnow()) < timedelta(minutes=1)


def test_same_mark_sent_twice_as_json_counts_once(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    url = page_url(meeting, boat, f"/{b.id}/mark")
    token = guide.csrf_token()
    first = guide.post(url, data={"csrf_token": token, "step": "board"}, headers={"Accept": "application/json"})
    second = guide.post(url, data={"csrf_token": token, "step": "board"}, headers={"Accept": "application/json"})
    assert first.json["outcome"] == "marked" and second.json["outcome"] == "already"
    assert first.json["booking"]["boarded"] == second.json["booking"]["boarded"]


def test_back_ashore_pass_has_its_own_counts_and_undo(app, guide, meeting, boat, make_registration):
    ana, ben, cy = (make_registration(meeting, (boat,), last_name=name) for name in ("Abad", "Bono", "Cruz"))
    for person in (ana, ben):
        guide.post_form(page_url(meeting, boat, f"/{booking(app, person, boat).id}/mark"), {"step": "board"})
    guide.post_form(page_url(meeting, boat, f"/{booking(app, ana, boat).id}/mark"), {"step": "ashore"})

    html = guide.get(page_url(meeting, boat, "?step=ashore")).get_data(as_text=True)
    assert counts(html, "ashore") == {"on_board": 2, "back": 1, "still_out": 1}
    assert counts(html, "board") == {"booked": 3, "on_board": 2, "missing": 1}
    assert 'data-step="ashore"' in html
    assert booking(app, ana, boat).returned_at is not None

    undone = guide.post_form(page_url(meeting, boat, f"/{booking(app, ana, boat).id}/undo"), {"step": "ashore"},
                             follow_redirects=True)
    assert "Return of Delegate Abad undone." in undone.get_data(as_text=True)
    assert booking(app, ana, boat).returned_at is None
    assert booking(app, ana, boat).boarded_at is not None
    assert counts(undone.get_data(as_text=True), "ashore") == {"on_board": 2, "back": 0, "still_out": 2}


def test_waiting_delegate_boards_only_when_staff_confirm(app, guide, meeting, boat, make_registration):
    wim = make_registration(meeting, (boat,), first_name="Wim", last_name="Waiter")
    set_booking_status(app, wim, boat, BookingStatus.waitlisted)
    b = booking(app, wim, boat)

    asked = guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"})
    assert asked.status_code == 409
    assert "on the waiting list of this visit" in asked.get_data(as_text=True)
    assert booking(app, wim, boat).boarded_at is None

    confirmed = guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board", "confirm": "y"})
    assert confirmed.status_code == 303
    assert booking(app, wim, boat).boarded_at is not None
    html = guide.get(page_url(meeting, boat)).get_data(as_text=True)
    assert counts(html) == {"booked": 0, "on_board": 1, "missing": 0}


def test_scanning_a_badge_address_marks_its_delegate(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,), first_name="Ana", last_name="Abad")
    with app.test_request_context():
        with app.app_context():
            code = checkin_token(ana)
    scanned = f"http://meet.example.org/manage/meetings/{meeting.slug}/checkin/{code}"

    response = guide.post_form(page_url(meeting, boat, "/scan"), {"code": scanned, "step": "board"},
                               follow_redirects=True)

    assert "Ana Abad is on board" in response.get_data(as_text=True)
    assert booking(app, ana, boat).boarded_at is not None


def test_scanning_a_badge_of_someone_not_booked_warns_and_staff_may_add_them(
        app, guide, meeting, boat, make_registration):
    stray = make_registration(meeting, (), first_name="Sam", last_name="Stray")
    with app.app_context():
        code = checkin_token(stray)

    warned = guide.post_form(page_url(meeting, boat, "/scan"), {"code": code, "step": "board"})
    html = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert "Sam Stray is not booked on this visit." in html
    assert "3 places are left on this visit." in html

    added = guide.post_form(page_url(meeting, boat, f"/add/{stray.id}"), {"confirm": "y"}, follow_redirects=True)
    assert "Sam Stray is added to this visit and on board." in added.get_data(as_text=True)
    b = booking(app, stray, boat)
    assert b.status == BookingStatus.booked and b.boarded_at is not None


def test_a_stray_badge_cannot_be_added_when_no_place_is_left(app, guide, meeting, boat, make_registration):
    for _ in range(3):
        make_registration(meeting, (boat,))
    stray = make_registration(meeting, (), first_name="Sam", last_name="Stray")
    with app.app_context():
        code = checkin_token(stray)

    warned = guide.post_form(page_url(meeting, boat, "/scan"), {"code": code, "step": "board"})
    assert "No place is left on this visit." in warned.get_data(as_text=True)
    assert "Add to this visit" not in warned.get_data(as_text=True)
    refused = guide.post_form(page_url(meeting, boat, f"/add/{stray.id}"), {"confirm": "y"})
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(VisitBooking).where(VisitBooking.registration_id == stray.id)) is None


def test_a_stray_badge_of_a_waitlisted_delegate_cannot_be_added(app, guide, meeting, boat, make_registration):
    stray = make_registration(meeting, (), status=RegistrationStatus.waitlisted, first_name="Sam", last_name="Stray")
    with app.app_context():
        code = checkin_token(stray)
    warned = guide.post_form(page_url(meeting, boat, "/scan"), {"code": code, "step": "board"})
    assert "Sam Stray has no confirmed place at the meeting." in warned.get_data(as_text=True)


def test_unknown_or_foreign_badge_is_refused_on_the_form(app, guide, meeting, make_meeting, boat, make_registration):
    other = make_meeting()
    foreign = make_registration(other)
    with app.app_context():
        code = checkin_token(foreign)
    for scanned in (code, "not-a-code", "https://evil.example/x/y"):
        response = guide.post_form(page_url(meeting, boat, "/scan"), {"code": scanned, "step": "board"})
        assert response.status_code == 400
        assert "This is not the badge of a delegate of this meeting." in response.get_data(as_text=True)


def test_state_json_gives_every_booking_and_a_fresh_token(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"})
    state = guide.get(page_url(meeting, boat, "/state.json"))
    assert state.headers["Cache-Control"] == "private, no-store"
    assert state.json["csrf_token"]
    [entry] = state.json["bookings"]
    assert entry["id"] == b.id and entry["status"] == "booked" and entry["boarded"] and entry["returned"] is None


def test_host_of_another_meeting_gets_404_everywhere(app, client, make_user, make_meeting, meeting, boat,
                                                      make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    other = make_meeting()
    make_user(email="other@example.org", hosts=(other,))
    client.login("other@example.org")
    assert client.get(page_url(meeting, boat)).status_code == 404
    assert client.get(page_url(meeting, boat, "/state.json")).status_code == 404
    assert client.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"}).status_code == 404
    assert client.post_form(page_url(meeting, boat, "/scan"), {"code": "x"}).status_code == 404
    assert booking(app, ana, boat).boarded_at is None


def test_booking_of_another_visit_is_404(app, guide, meeting, boat, make_visit, make_registration):
    bus = make_visit(meeting, title="Bus", start_time=boat.end_time, end_time=boat.end_time.replace(hour=18))
    ana = make_registration(meeting, (bus,))
    b = booking(app, ana, bus)
    assert guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"}).status_code == 404


def test_mark_without_csrf_token_or_with_a_bad_step_changes_nothing(app, guide, meeting, boat, make_registration):
    ana = make_registration(meeting, (boat,))
    b = booking(app, ana, boat)
    assert guide.post(page_url(meeting, boat, f"/{b.id}/mark"), data={"step": "board"}).status_code == 400
    assert guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "swim"}).status_code == 400
    assert guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board", "at": "soon"}).status_code == 400
    assert booking(app, ana, boat).boarded_at is None


def test_anonymous_is_sent_to_sign_in(client, meeting, boat):
    response = client.get(page_url(meeting, boat))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_names_are_escaped(app, guide, meeting, boat, make_registration):
    make_registration(meeting, (boat,), first_name="<script>alert(1)</script>", last_name="X")
    html = guide.get(page_url(meeting, boat)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_page_loads_one_static_script_and_no_inline_script(guide, meeting, boat):
    response = guide.get(page_url(meeting, boat))
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [""]
    assert re.search(r'<script src="/static/js/boarding\.js" defer>', html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_service_worker_is_served_from_manage_for_its_scope(client):
    response = client.get("/manage/boarding-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "addEventListener" in response.get_data(as_text=True)


def test_marks_undos_and_additions_are_in_the_audit_trail(app, guide, meeting, boat, make_registration):
    from portmeet.audit.models import AuditEntry

    ana = make_registration(meeting, (boat,), first_name="Ana", last_name="Abad")
    stray = make_registration(meeting, (), first_name="Sam", last_name="Stray")
    b = booking(app, ana, boat)
    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"})
    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "board"})  # counted once
    guide.post_form(page_url(meeting, boat, f"/{b.id}/mark"), {"step": "ashore"})
    guide.post_form(page_url(meeting, boat, f"/{b.id}/undo"), {"step": "ashore"})
    guide.post_form(page_url(meeting, boat, f"/add/{stray.id}"), {"confirm": "y"})

    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.kind.like("boarding.%"))
                                     .order_by(AuditEntry.id)).all()
        assert [(e.kind, e.subject_label, e.actor_name) for e in entries] == [
            ("boarding.boarded", "Ana Abad", "guide@example.org"),
            ("boarding.returned", "Ana Abad", "guide@example.org"),
            ("boarding.undone", "Ana Abad", "guide@example.org"),
            ("boarding.added", "Sam Stray", "guide@example.org"),
            ("boarding.boarded", "Sam Stray", "guide@example.org"),
        ]
        assert entries[0].details["visit"] == "Port tour by boat"
    activity = guide.get(f"/manage/meetings/{meeting.slug}/activity").get_data(as_text=True)
    assert "Marked on board (field visit)" in activity
def test_vendored_decoder_is_the_pinned_npm_package():
    """The QR decoder served to phones is jsQR exactly as pinned in package.json, copied from npm."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pinned = json.loads((root / "package.json").read_text())["devDependencies"]["jsqr"]
    lock = json.loads((root / "package-lock.json").read_text())["packages"]["node_modules/jsqr"]
    assert lock["version"] == pinned and lock["integrity"].startswith("sha512-")
    vendored = root / "static" / "vendor" / f"jsQR-{pinned}.js"
    installed = root / "node_modules" / "jsqr" / "dist" / "jsQR.js"
    assert vendored.read_bytes() == installed.read_bytes()
    template = (root / "templates" / "boarding" / "roll_call.html").read_text()
    assert f"vendor/jsQR-{pinned}.js" in template
