"""A host writes to a group of delegates: a preview with the number of recipients and one rendered
copy, per-language versions, placeholders, the outbox, a log, and never sent twice."""
import re

from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.messaging.models import Message
from portmeet.registration.models import OutboxMessage
from tests.test_plan_changes import LINK, deliver, register_many


def outbox_count(app) -> int:
    """Messages queued and not yet sent."""
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None)))


def setup_boat(client, runner, smtp_server, make_meeting, make_visit, make_user):
    meeting = make_meeting(title="Citizen Port Meeting Bilbao")
    boat = make_visit(meeting, title="Boat tour", capacity=2)
    bus = make_visit(meeting, title="Bus tour", capacity=5, start_time=boat.end_time,
                     end_time=boat.end_time.replace(hour=19))
    register_many(client, meeting, 2, boat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    register_many(client, meeting, 1, boat, start=3)  # waiting, in French
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    register_many(client, meeting, 1, bus, start=4)
    deliver(runner, smtp_server)
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    return meeting, boat


def test_preview_then_send_to_everyone_on_the_boat_in_their_language_and_find_it_in_the_log(
        app, client, runner, smtp_server, make_meeting, make_visit, make_user):
    meeting, boat = setup_boat(client, runner, smtp_server, make_meeting, make_visit, make_user)
    url = f"/manage/meetings/{meeting.slug}/messages"
    form = {"subject": "Boarding at Pier 3", "visit": str(boat.id),
            "body": "Dear {first_name},\nboarding starts at 14:45. Your page: {link}\nItinerary: {itinerary}",
            "subject_fr": "Embarquement au quai 3", "body_fr": "Bonjour {first_name},\nembarquement à 14h45. {link}"}

    preview = client.post_form(url, form)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Preview: 3 recipients" in page and "Send to 3 delegates" in page
    assert "Dear Name1," in page  # one copy rendered, placeholders replaced
    assert outbox_count(app) == 0  # a preview sends nothing
    send_key = re.search(r'name="send_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)

    sent = client.post_form(url, {**form, "send": "y", "send_key": send_key})
    assert sent.status_code == 303
    again = client.post_form(url, {**form, "send": "y", "send_key": send_key})  # the double click
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]

    messages = {m["To"]: m for m in deliver(runner, smtp_server)}
    assert set(messages) == {"delegate1@example.org", "delegate2@example.org", "delegate3@example.org"}
    english = messages["delegate1@example.org"]
    assert english["Subject"] == "Citizen Port Meeting Bilbao: Boarding at Pier 3"
    body = english.get_content()
    assert body.startswith("Dear Name1,")
    assert client.get(LINK.search(body).group(1)).status_code == 200
    itinerary = re.search(r"http://localhost(/registrations/\S+/itinerary\.pdf)", body).group(1)
    assert client.get(itinerary).data.startswith(b"%PDF")
    assert messages["delegate3@example.org"]["Subject"] == "Citizen Port Meeting Bilbao\u00a0: Embarquement au quai 3"

    log = client.get(url).get_data(as_text=True)
    assert "Boarding at Pier 3" in log
    detail = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Delegate1" in detail and "delegate3@example.org" in detail and "Embarquement au quai 3" in detail
    with app.app_context():
        assert db.session.scalar(select(func.count(Message.id))) == 1


def test_empty_body_no_recipients_or_a_huge_body_are_form_errors_and_nothing_is_sent(
        app, client, runner, smtp_server, make_meeting, make_visit, make_user):
    meeting, boat = setup_boat(client, runner, smtp_server, make_meeting, make_visit, make_user)
    url = f"/manage/meetings/{meeting.slug}/messages"
    for form, message in [
        ({"subject": "Hello", "body": "", "send": "y"}, "Write the message."),
        ({"subject": "Hello", "body": "Hi", "country": "JP", "send": "y"}, "No delegate matches these filters"),
        ({"subject": "Hello", "body": "x" * 100_000, "send": "y"}, "At most 10000 characters."),
        ({"subject": "Hello", "body": "Hi", "subject_fr": "Bonjour", "send": "y"}, "needs both a subject and a message"),
    ]:
        response = client.post_form(url, form)
        assert response.status_code == 400, form
        assert message in response.get_data(as_text=True)
    assert outbox_count(app) == 0


def test_another_meetings_host_cannot_write_or_read_messages(app, client, runner, smtp_server, make_meeting,
                                                           make_visit, make_user):
    meeting, boat = setup_boat(client, runner, smtp_server, make_meeting, make_visit, make_user)
    sent = client.post_form(f"/manage/meetings/{meeting.slug}/messages", {"subject": "Hi", "body": "Hi", "send": "y"})
    client.post_form("/logout", {})
    make_user(email="other@example.org", hosts=(make_meeting(),))
    client.login("other@example.org")
    assert client.get(f"/manage/meetings/{meeting.slug}/messages").status_code == 404
    assert client.get(sent.headers["Location"]).status_code == 404
