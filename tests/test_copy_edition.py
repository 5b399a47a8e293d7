"""A host copies a meeting into its next edition; the home page groups the editions of a series."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portmeet.accounts.models import MeetingRole
from portmeet.extensions import db
from portmeet.meetings.models import Meeting, MeetingStatus, Transport
from portmeet.registration.models import Registration
from portmeet.timeutil import utcnow
from tests.test_registration import page_text

TODAY = utcnow().date()


def build_genoa(make_meeting, make_session, make_visit, make_registration, make_user):
    start = TODAY + timedelta(days=20)
    meeting = make_meeting(title="Citizen Port Meeting Genoa 2018", slug="cpm-genoa-2018", edition=5, start_date=start,
                           capacity=45, language="fr", partners="AIVP\nPorto di Genova",
                           registration_opens=datetime.combine(start - timedelta(days=60), time(9)),
                           registration_closes=datetime.combine(start - timedelta(days=3), time(18)))
    make_session(meeting, title="Opening plenary", start_time=time(9), end_time=time(10),
                 speakers=[("Giulia Rossi", "Porto di Genova", "IT")])
    make_session(meeting, title="Closing debate", day=meeting.end_date, start_time=time(16), end_time=time(17))
    boat = make_visit(meeting, title="Boat tour", capacity=12, requires_id=True, id_deadline=start - timedelta(days=7),
                      meeting_point="Ponte dei Mille")
    make_visit(meeting, title="Bus to the port centre", transport=Transport.bus, day=meeting.end_date,
               start_time=time(10, 45), end_time=time(12), capacity=22)
    make_registration(meeting, visits=(boat,))
    host = make_user(hosts=(meeting,))
    return meeting, host


def test_a_host_copies_a_meeting_into_its_next_edition(app, client, make_meeting, make_session, make_visit,
                                                      make_registration, make_user):
    genoa, host = build_genoa(make_meeting, make_session, make_visit, make_registration, make_user)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the meeting's own default is French
    client.login(host.email)
    form = client.get(f"/manage/meetings/{genoa.slug}/copy").get_data(as_text=True)
    assert 'value="Citizen Port Meeting Genoa 2019"' in form and 'value="cpm-genoa-2019"' in form
    new_start = genoa.start_date + timedelta(days=371)
    response = client.post_form(f"/manage/meetings/{genoa.slug}/copy", {
        "title": "Citizen Port Meeting Bilbao 2019", "slug": "cpm-bilbao-2019", "start_date": new_start.isoformat()})
    assert response.status_code == 303 and response.headers["Location"] == "/manage/meetings/cpm-bilbao-2019/"
    assert "2 sessions and 2 field visits, every date moved by 371 days" in page_text(client.get(response.headers["Location"]))
    assert "Created as a copy of an earlier edition" in page_text(client.get("/manage/meetings/cpm-bilbao-2019/activity"))
    assert "Copied into a new edition" in page_text(client.get(f"/manage/meetings/{genoa.slug}/activity"))

    with app.app_context():
        old = db.session.get(Meeting, genoa.id)
        new = db.session.scalar(select(Meeting).where(Meeting.slug == "cpm-bilbao-2019"))
        shift = timedelta(days=371)
        assert new.status == MeetingStatus.draft and new.edition == 6
        assert (new.start_date, new.end_date) == (old.start_date + shift, old.end_date + shift)
        assert (new.registration_opens, new.registration_closes) == (old.registration_opens + shift,
                                                                     old.registration_closes + shift)
        assert (new.capacity, new.language, new.timezone, new.partners, new.contact_email) == (
            old.capacity, old.language, old.timezone, old.partners, old.contact_email)
        pairs = list(zip(old.sessions, new.sessions))
        assert len(pairs) == 2 and all(n.day - o.day == shift and (n.title, n.start_time) == (o.title, o.start_time)
                                       for o, n in pairs)
        assert [s.name for s in new.sessions[0].speakers] == ["Giulia Rossi"]
        visits = list(zip(old.visits, new.visits))
        assert len(visits) == 2 and all(n.day - o.day == shift for o, n in visits)
        assert all((n.capacity, n.meeting_point, n.requires_id, n.transport) ==
                   (o.capacity, o.meeting_point, o.requires_id, o.transport) for o, n in visits)
        assert new.visits[0].id_deadline == old.visits[0].id_deadline + shift
        assert db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(Registration.meeting_id == new.id)) == 0
        assert db.session.scalar(select(MeetingRole.user_id).where(MeetingRole.meeting_id == new.id)) == host.id
        assert old.series == new.series == "Citizen Port Meeting Genoa 2018"
        # The original edition is untouched.
        assert len(old.sessions) == 2 and db.session.scalar(select(func.count()).select_from(Registration)
                                                           .where(Registration.meeting_id == old.id)) == 1


def test_copy_is_refused_with_a_message_for_a_taken_slug_or_a_missing_date(app, client, make_meeting, make_user):
    genoa = make_meeting(slug="cpm-genoa-2018")
    make_meeting(slug="cpm-bilbao-2019")
    client.login(make_user(hosts=(genoa,)).email)
    for data, message in (({"slug": "cpm-bilbao-2019"}, "already taken"), ({"start_date": ""}, "Enter a date"),
                          ({"slug": "Not a slug"}, "Use lower-case letters"), ({"title": ""}, "This field is required")):
        form = {"title": "Next", "slug": "cpm-next", "start_date": (TODAY + timedelta(days=400)).isoformat(), **data}
        response = client.post_form(f"/manage/meetings/{genoa.slug}/copy", form)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2


def test_only_the_meetings_staff_may_copy_it(client, make_meeting, make_user):
    genoa = make_meeting()
    other = make_meeting()
    client.login(make_user(hosts=(other,)).email)
    assert client.get(f"/manage/meetings/{genoa.slug}/copy").status_code == 404
    assert client.post_form(f"/manage/meetings/{genoa.slug}/copy", {"title": "x", "slug": "x",
                                                                     "start_date": "2031-01-01"}).status_code == 404


def test_home_page_groups_the_editions_of_a_series(client, make_meeting):
    series = "Citizen Port Meetings"
    for year, city in ((2014, "Ashdod"), (2016, "Antwerp"), (2017, "Le Havre"), (2018, "Genoa"), (2019, "Bilbao")):
        make_meeting(title=f"Citizen Port Meeting {city}", start_date=date(year, 10, 24), series=series,
                     status=MeetingStatus.archived)
    make_meeting(title="Citizen Port Meeting Valencia", series=series, start_date=TODAY + timedelta(days=40))
    make_meeting(title="A one-off workshop", start_date=TODAY - timedelta(days=100), status=MeetingStatus.closed)
    page = page_text(client.get("/"))
    upcoming = page.index("Upcoming meetings")
    group = page.index(series, page.index("Past meetings"))
    editions = [page.index(f"Citizen Port Meeting {city}", group) for city in
                ("Bilbao", "Genoa", "Le Havre", "Antwerp", "Ashdod")]
    assert upcoming < page.index("Citizen Port Meeting Valencia") < group
    assert editions == sorted(editions)  # newest first, under the series' heading
    assert "A one-off workshop" in page
