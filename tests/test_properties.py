"""Property-based: whatever is posted to the hosts' forms (any text, length, script, control character,
missing field), the answer is never a 500, and a row is saved exactly when the form was accepted."""
import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting, ProgrammeSession, Speaker
from portmeet.timeutil import utcnow

MISSING = object()
ACCEPTED = 303
REFUSED = {400, 413}  # the form with its errors, or the error page (a NUL byte, a body too large)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])

# Any character a browser can send (lone surrogates cannot be encoded), control characters and NUL included.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
TRICKY = ["", " ", "\x00", "\t\r\n", "\u202e", "\ufeff", "0", "-1", "1e9", "99999999999999999999999", "NaN",
          "2030-02-30", "0001-01-01", "9999-12-31", "24:00", "23:59", "<script>alert(1)</script>", "' OR 1=1 --",
          "Ελληνικά", "עברית", "العربية", "中文", "🚢⚓", "x" * 201, "y" * 81]


def any_value():
    """A fuzzed value: missing, a tricky classic, short arbitrary text, a long run, or a repeated field."""
    return st.one_of(
        st.just(MISSING),
        st.sampled_from(TRICKY),
        st.text(ANY_CHAR, max_size=30),
        st.builds(lambda char, n: char * n, ANY_CHAR, st.integers(150, 12_000)),
        st.lists(st.text(ANY_CHAR, max_size=10), min_size=2, max_size=3),
    )


def fuzzed(valid: st.SearchStrategy[dict], field_names: list[str]) -> st.SearchStrategy[dict]:
    """A valid form with a few fields replaced by fuzzed values (or removed); sometimes untouched."""
    overrides = st.dictionaries(st.sampled_from(field_names), any_value(), max_size=len(field_names))

    def merge(pair):
        form, changes = pair
        form = {**form, **changes}
        return {name: value for name, value in form.items() if value is not MISSING}

    return st.tuples(valid, overrides).map(merge)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def post_and_check(app, client, url, form, models):
    before = {model: count(app, model) for model in models}
    response = client.post(url, data={**form, "csrf_token": client.csrf_token()})
    assert response.status_code != 500 and (response.status_code == ACCEPTED or response.status_code in REFUSED), (
        response.status_code, form)
    assert "Traceback" not in response.get_data(as_text=True)
    after = {model: count(app, model) for model in models}
    main_model = models[0]
    if response.status_code == ACCEPTED:
        assert after[main_model] == before[main_model] + 1, form
    else:
        assert after == before, form
    return response


@pytest.fixture
def signed_in(client, organiser):
    client.login(organiser.email)
    return client


TODAY = utcnow().date()
MEETING_FIELDS = ["title", "edition", "slug", "city", "country", "venue", "start_date", "end_date", "timezone",
                  "description", "host_organisation", "partners", "contact_email", "registration_opens",
                  "registration_closes", "capacity", "status", "language"]


TITLES = itertools.count()


@st.composite
def valid_meeting(draw):
    return meeting_form(f"Citizen Port Meeting {next(TITLES)}", TODAY + timedelta(days=draw(st.integers(1, 400))))


def meeting_form(title, start):
    return {
        "title": title, "edition": "7", "slug": "", "city": "Genoa",
        "country": "IT", "venue": "Galata", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=1)).isoformat(), "timezone": "Europe/Rome", "description": "Port and city",
        "host_organisation": "Porto di Genova", "partners": "", "contact_email": "cpm@genova.example",
        "registration_opens": f"{TODAY.isoformat()}T09:00",
        "registration_closes": f"{start.isoformat()}T08:00", "capacity": "60", "status": "draft", "language": "en",
    }


@SETTINGS
@given(form=fuzzed(valid_meeting(), MEETING_FIELDS))
def test_meeting_form_never_fails_and_saves_only_valid_meetings(app, signed_in, form):
    post_and_check(app, signed_in, "/manage/meetings/new", form, [Meeting])


def test_same_title_twice_without_slug_is_refused_on_the_form(app, signed_in):
    form = meeting_form("Citizen Port Meeting Genoa", TODAY + timedelta(days=40))
    post_and_check(app, signed_in, "/manage/meetings/new", form, [Meeting])
    response = post_and_check(app, signed_in, "/manage/meetings/new", form, [Meeting])
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["capacity", "edition"])
def test_a_number_of_four_hundred_digits_is_refused_on_the_form(app, signed_in, field):
    form = {**meeting_form("Citizen Port Meeting Huge", TODAY + timedelta(days=40)), field: "9" * 400}
    assert post_and_check(app, signed_in, "/manage/meetings/new", form, [Meeting]).status_code == 400


def test_shared_integer_field_refuses_absurdly_long_numbers(app):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from portmeet.forms_common import IntegerField

    class PlacesForm(FlaskForm):
        class Meta:
            csrf = False
        places = IntegerField("Places")

    with app.test_request_context():
        assert PlacesForm(MultiDict({"places": "42"})).places.data == 42
        form = PlacesForm(MultiDict({"places": "9" * 400}))
        assert not form.validate() and form.places.errors == ["Not a valid integer value."]


SESSION_FIELDS = ["day", "start_time", "end_time", "title", "kind", "room", "description", "speakers"]


@st.composite
def valid_session(draw):
    hour = draw(st.integers(6, 20))
    return {
        "day": (TODAY + timedelta(days=30 + draw(st.integers(0, 1)))).isoformat(),
        "start_time": f"{hour:02d}:00", "end_time": f"{hour:02d}:45", "title": "Opening plenary",
        "kind": draw(st.sampled_from(["plenary", "workshop", "debate", "break", "meal", "social"])),
        "room": f"Room {draw(st.integers(0, 10**6))}", "description": "",
        "speakers": "Ana Ruiz, Port of Bilbao, ES\nJean Dupont, AIVP",
    }


@SETTINGS
@given(form=fuzzed(valid_session(), SESSION_FIELDS))
def test_session_form_never_fails_and_saves_only_valid_sessions(app, signed_in, make_meeting, form):
    meeting = _meeting(app, make_meeting)
    post_and_check(app, signed_in, f"/manage/meetings/{meeting.slug}/sessions/new", form, [ProgrammeSession, Speaker])


VISIT_FIELDS = ["title", "description", "day", "start_time", "end_time", "meeting_point", "transport", "capacity",
                "requires_id", "id_deadline"]


@st.composite
def valid_visit(draw):
    day = TODAY + timedelta(days=30 + draw(st.integers(0, 1)))
    return {
        "title": "Port tour by boat", "description": "Bring a jacket.", "day": day.isoformat(), "start_time": "15:00",
        "end_time": "17:00", "meeting_point": "Pier 3", "transport": draw(st.sampled_from(["walk", "bus", "boat", "other"])),
        "capacity": str(draw(st.integers(1, 200))), "requires_id": draw(st.sampled_from(["y", MISSING])),
        "id_deadline": (day - timedelta(days=3)).isoformat(),
    }


@SETTINGS
@given(form=fuzzed(valid_visit(), VISIT_FIELDS))
def test_visit_form_never_fails_and_saves_only_valid_visits(app, signed_in, make_meeting, form):
    meeting = _meeting(app, make_meeting)
    post_and_check(app, signed_in, f"/manage/meetings/{meeting.slug}/visits/new", form, [FieldVisit])


def _meeting(app, make_meeting) -> Meeting:
    """One meeting per test (hypothesis runs the body many times with the same fixtures)."""
    with app.app_context():
        existing = db.session.scalar(select(Meeting).where(Meeting.slug == "fuzz-meeting"))
        if existing is not None:
            db.session.expunge(existing)
            return existing
    return make_meeting(slug="fuzz-meeting", start_date=TODAY + timedelta(days=30))


REGISTRATION_FIELDS = ["first_name", "last_name", "badge_name", "email", "organisation", "job_title", "country",
                       "phone", "category", "dietary", "accessibility", "consent_list", "visits", "nationality",
                       "id_number", "date_of_birth"]
EMAILS = itertools.count()


@st.composite
def valid_registration(draw):
    form = {
        "first_name": draw(st.sampled_from(["Ana", "Ελένη", "Noa", "Jean-Luc", "Øystein"])), "last_name": "Ruiz",
        "badge_name": "", "email": f"delegate{next(EMAILS)}@example.org", "organisation": "Port of Bilbao",
        "job_title": "Community manager", "country": draw(st.sampled_from(["ES", "GR", "IL", "FR"])), "phone": "",
        "category": draw(st.sampled_from(["delegate", "speaker", "press", "accompanying"])), "dietary": "",
        "accessibility": "", "consent_list": draw(st.sampled_from(["y", MISSING])),
        "visits": draw(st.sampled_from([MISSING, ["1"], ["2"], ["1", "3"]])),
    }
    if form["visits"] is not MISSING and "2" in form["visits"]:  # the boat tour needs ID data
        form.update(nationality="ES", id_number="X1234567", date_of_birth="1980-02-29")
    return form


@pytest.fixture
def open_meeting(app, make_meeting, make_visit):
    from datetime import time

    meeting = make_meeting(slug="open-meeting", start_date=TODAY + timedelta(days=30), capacity=25)
    make_visit(meeting, title="Port Center", capacity=3, start_time=time(10), end_time=time(12))
    make_visit(meeting, title="Boat tour", capacity=2, requires_id=True, id_deadline=TODAY + timedelta(days=20))
    make_visit(meeting, title="Museum", capacity=50, start_time=time(14), end_time=time(16))
    return meeting


@SETTINGS
@given(form=fuzzed(valid_registration(), REGISTRATION_FIELDS))
def test_registration_form_never_fails_and_saves_only_valid_registrations(app, client, open_meeting, form):
    from portmeet.registration.models import OutboxMessage, Registration, VisitBooking

    models = [Registration, VisitBooking, OutboxMessage]
    post_and_check(app, client, f"/meetings/{open_meeting.slug}/register", form, models)
