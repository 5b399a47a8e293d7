"""Signing in and out, accounts, and a meeting's hosts."""
from sqlalchemy import select

from portmeet.accounts.models import MeetingRole, User
from portmeet.extensions import db


def test_host_signs_in_and_lands_on_their_meetings(client, make_user):
    make_user(email="ana@bilbaoport.example")
    response = client.post_form("/login", {"email": "ANA@bilbaoport.example", "password": "correct-horse-42"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/"
    assert "My meetings" in client.get("/manage/").get_data(as_text=True)


def test_wrong_password_does_not_say_which_field_was_wrong(client, make_user):
    make_user(email="ana@bilbaoport.example")
    for email, password in [("ana@bilbaoport.example", "nope-nope"), ("nobody@example.org", "correct-horse-42")]:
        response = client.post_form("/login", {"email": email, "password": password})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Wrong e-mail or password." in page
        assert f'value="{email}"' in page  # what was typed is kept
    assert client.get("/manage/").status_code == 302


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user(email="ana@bilbaoport.example")
    response = client.post("/login", data={"email": "ana@bilbaoport.example", "password": "correct-horse-42"})
    assert response.status_code == 400
    assert client.get("/manage/").status_code == 302


def test_next_parameter_only_redirects_inside_the_site(client, make_user):
    make_user(email="ana@bilbaoport.example")
    data = {"email": "ana@bilbaoport.example", "password": "correct-horse-42"}
    inside = client.post_form("/login?next=/manage/meetings/new", data)
    assert inside.headers["Location"] == "/manage/meetings/new"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        client.post_form("/logout")
        response = client.post_form(f"/login?next={target}", data)
        assert response.headers["Location"] == "/manage/", target


def test_logout_is_a_post_with_csrf(client, make_user):
    make_user(email="ana@bilbaoport.example")
    client.login("ana@bilbaoport.example")
    assert client.get("/logout").status_code == 405
    client.post("/logout")  # no token: stays signed in
    assert client.get("/manage/").status_code == 200
    client.post_form("/logout")
    assert client.get("/manage/").status_code == 302


def test_create_user_command_makes_an_organiser_who_can_sign_in(app, runner, client):
    result = runner.invoke(args=["create-user", "Olga@Network.example", "--name", "Olga", "--password",
                                 "s3cret-pass", "--organiser"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "olga@network.example"))
        assert user.is_organiser and user.password_hash != "s3cret-pass"
    client.login("olga@network.example", "s3cret-pass")
    again = runner.invoke(args=["create-user", "olga@network.example", "--name", "O", "--password", "another-1"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_a_host_cannot_create_accounts(client, make_user):
    make_user(email="ana@bilbaoport.example")
    client.login("ana@bilbaoport.example")
    assert client.get("/manage/accounts").status_code == 403
    response = client.post_form("/manage/accounts", {"email": "x@example.org", "name": "X", "password": "longenough"})
    assert response.status_code == 403


def test_organiser_creates_an_account_and_makes_it_host_of_a_meeting(app, client, organiser, make_meeting):
    meeting = make_meeting()
    client.login(organiser.email)
    response = client.post_form("/manage/accounts", {"email": "Giulia@Genova.example", "name": "Giulia Rossi",
                                                     "password": "porto-di-genova"})
    assert response.status_code == 303
    response = client.post_form(f"/manage/meetings/{meeting.slug}/hosts", {"email": "giulia@genova.example"})
    assert response.status_code == 303
    page = client.get(f"/manage/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "Giulia Rossi" in page
    with app.app_context():
        role = db.session.scalar(select(MeetingRole))
        assert role.meeting_id == meeting.id and role.user.email == "giulia@genova.example"

    # The new host sees the meeting among theirs.
    client.post_form("/logout")
    client.login("giulia@genova.example", "porto-di-genova")
    assert meeting.title in client.get("/manage/").get_data(as_text=True)


def test_adding_an_unknown_account_as_host_says_so(app, client, organiser, make_meeting):
    meeting = make_meeting()
    client.login(organiser.email)
    response = client.post_form(f"/manage/meetings/{meeting.slug}/hosts", {"email": "ghost@example.org"},
                                follow_redirects=True)
    assert "No account has this e-mail address" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MeetingRole)) is None


def test_organiser_removes_a_host(app, client, organiser, make_meeting, make_user):
    meeting = make_meeting()
    host = make_user(hosts=(meeting,))
    client.login(organiser.email)
    client.post_form(f"/manage/meetings/{meeting.slug}/hosts/{host.id}/remove")
    with app.app_context():
        assert db.session.scalar(select(MeetingRole)) is None
