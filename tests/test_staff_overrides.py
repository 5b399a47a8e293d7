"""An organiser books a delegate onto a full visit (only when asked for explicitly, then shown as over
capacity), moves one up from a waitlist, takes a pick off; each delegate is told by e-mail."""
import pytest

from tests.test_plan_changes import LINK, deliver, picks, register_many
from portmeet.registration.models import BookingStatus


@pytest.fixture
def full_boat(app, client, runner, smtp_server, organiser, make_meeting, make_visit):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    boat = make_visit(meeting, title="Boat tour", capacity=1)
    museum = make_visit(meeting, title="Maritime museum", capacity=5, start_time=boat.end_time,
                        end_time=boat.end_time.replace(hour=19))
    register_many(client, meeting, 2, boat)  # one booked, one waiting
    register_many(client, meeting, 1, museum, start=3)
    deliver(runner, smtp_server)
    client.login(organiser.email)
    return meeting, boat, museum


def registration_id(app, email):
    from sqlalchemy import select

    from portmeet.extensions import db
    from portmeet.registration.models import Registration
    with app.app_context():
        return db.session.scalar(select(Registration.id).where(Registration.email == email))


def test_booking_onto_a_full_visit_needs_over_capacity_and_shows_it(app, client, runner, smtp_server, full_boat):
    meeting, boat, _museum = full_boat
    third = registration_id(app, "delegate3@example.org")
    url = f"/manage/meetings/{meeting.slug}/registrations/{third}/picks"

    refused = client.post_form(url, {"visit": str(boat.id), "action": "book"})
    assert refused.status_code == 400
    assert "“Boat tour” is full (1 booked for 1 places): tick “over capacity” to book anyway." in refused.get_data(as_text=True)
    assert "delegate3@example.org" not in picks(app, boat.id)

    assert client.post_form(url, {"visit": str(boat.id), "action": "book", "over_capacity": "y"}).status_code == 303
    assert picks(app, boat.id)["delegate3@example.org"] == BookingStatus.booked
    assert "over capacity by 1" in client.get(f"/manage/meetings/{meeting.slug}/visits/{boat.id}/").get_data(as_text=True)
    assert "over capacity by 1" in client.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)

    [message] = deliver(runner, smtp_server)
    assert message["To"] == "delegate3@example.org"
    assert message["Subject"] == "Citizen Port Meeting Bilbao: a place on “Boat tour” is yours"
    assert client.get(LINK.search(message.get_content()).group(1)).status_code == 200


def test_moving_up_from_a_waitlist_and_removing_a_pick_tell_the_delegate(app, client, runner, smtp_server, full_boat):
    meeting, boat, _museum = full_boat
    first, second = registration_id(app, "delegate1@example.org"), registration_id(app, "delegate2@example.org")

    # Taking the first delegate's place off gives it to the one waiting, as a cancellation would.
    assert client.post_form(f"/manage/meetings/{meeting.slug}/registrations/{first}/picks",
                            {"visit": str(boat.id), "action": "remove"}).status_code == 303
    assert picks(app, boat.id) == {"delegate2@example.org": BookingStatus.booked}
    messages = {m["To"]: m for m in deliver(runner, smtp_server)}
    assert "removed from your field visits" in messages["delegate1@example.org"]["Subject"]
    assert "is yours" in messages["delegate2@example.org"]["Subject"]

    # The first delegate picks it again (waiting now); staff move them up over capacity.
    client.post_form(f"/manage/meetings/{meeting.slug}/registrations/{first}/picks",
                     {"visit": str(boat.id), "action": "book", "over_capacity": "y"})
    assert picks(app, boat.id) == {"delegate1@example.org": BookingStatus.booked,
                                   "delegate2@example.org": BookingStatus.booked}
    page = client.get(f"/manage/meetings/{meeting.slug}/registrations/{second}").get_data(as_text=True)
    assert "Remove this pick" in page and "2 of 1 place booked" in page


def test_overrides_refuse_what_the_rules_forbid_with_a_message(app, client, full_boat, make_meeting, make_visit):
    meeting, boat, museum = full_boat
    third = registration_id(app, "delegate3@example.org")
    url = f"/manage/meetings/{meeting.slug}/registrations/{third}/picks"
    response = client.post_form(url, {"visit": str(museum.id), "action": "book"})
    assert response.status_code == 400 and "already has a place on “Maritime museum”" in response.get_data(as_text=True)
    other = make_visit(make_meeting(), title="Elsewhere")
    response = client.post_form(url, {"visit": str(other.id), "action": "book"})
    assert response.status_code == 400 and "Choose a field visit of this meeting." in response.get_data(as_text=True)
    response = client.post_form(url, {"visit": "nonsense", "action": "remove"})
    assert response.status_code == 400


def test_another_meetings_host_cannot_override(client, make_user, full_boat, app):
    meeting, boat, _museum = full_boat
    client.post_form("/logout", {})
    make_user(email="other@example.org")
    client.login("other@example.org")
    third = registration_id(app, "delegate3@example.org")
    assert client.post_form(f"/manage/meetings/{meeting.slug}/registrations/{third}/picks",
                            {"visit": str(boat.id), "action": "book", "over_capacity": "y"}).status_code == 404
