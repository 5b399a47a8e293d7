"""Private links: several live at once (only hashes stored), each with its creation and last use; a
re-send never revokes one; the delegate revokes one from their page; re-sends are limited per address."""
import re

from sqlalchemy import select

from portmeet.extensions import db
from portmeet.registration.models import OutboxMessage, RegistrationLink
from tests.test_registration import register, token_of


def _links(app):
    with app.app_context():
        return db.session.scalars(select(RegistrationLink).order_by(RegistrationLink.id)).all()


def _mailed_tokens(app):
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    return [m.group(1) for body in bodies for m in [re.search(r"/registrations/([\w-]{20,})", body)] if m]


def test_a_resend_adds_a_link_and_both_work_with_only_hashes_stored(app, client, make_meeting):
    meeting = make_meeting()
    first = token_of(register(client, meeting))
    client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "ana.ruiz@example.org"})
    second = _mailed_tokens(app)[-1]
    assert second != first
    assert client.get(f"/registrations/{first}").status_code == 200
    assert client.get(f"/registrations/{second}").status_code == 200
    links = _links(app)
    assert len(links) == 2 and all(link.revoked_at is None and link.last_used_at for link in links)
    assert not {first, second} & {link.token_hash for link in links}


def test_the_delegate_revokes_one_link_from_their_page_and_the_other_keeps_working(app, client, make_meeting):
    meeting = make_meeting()
    first = token_of(register(client, meeting))
    client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "ana.ruiz@example.org"})
    second = _mailed_tokens(app)[-1]
    page = client.get(f"/registrations/{first}").get_data(as_text=True)
    assert "Your private links" in page and "this link" in page
    other = next(link for link in _links(app) if link.id != _links(app)[0].id)
    response = client.post_form(f"/registrations/{first}/links/{other.id}/revoke")
    assert response.status_code == 303
    assert client.get(f"/registrations/{second}").status_code == 404
    assert client.get(f"/registrations/{first}").status_code == 200
    # Revoking the link in use: it stops at once, and the delegate is sent to ask for another.
    mine = _links(app)[0]
    response = client.post_form(f"/registrations/{first}/links/{mine.id}/revoke")
    assert response.status_code == 303 and "resend-link" in response.headers["Location"]
    assert client.get(f"/registrations/{first}").status_code == 404


def test_a_link_of_another_registration_cannot_be_revoked(app, client, make_meeting, make_registration):
    meeting = make_meeting()
    mine, theirs = make_registration(meeting), make_registration(meeting)
    their_link = [link for link in _links(app) if link.registration_id == theirs.id][0]
    assert client.post_form(f"/registrations/{mine.token}/links/{their_link.id}/revoke").status_code == 404
    assert client.get(f"/registrations/{theirs.token}").status_code == 200


def test_resends_to_one_address_are_limited_whoever_asks(app, client, make_meeting):
    meeting = make_meeting()
    token_of(register(client, meeting))
    for n in range(6):
        client.post_form(f"/meetings/{meeting.slug}/resend-link", {"email": "ana.ruiz@example.org"},
                         environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
    assert len(_links(app)) == 3  # at most three links an hour for one registration, its first included
