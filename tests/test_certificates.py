"""Certificates of attendance: after the meeting, for delegates checked in, each in their own language."""
from datetime import time, timedelta

import pytest

from documents_support import pdf_text, read_pdf
from portmeet.extensions import db
from portmeet.letters.models import Letterhead
from portmeet.registration.models import BookingStatus, RegistrationStatus, VisitBooking
from portmeet.timeutil import utcnow


@pytest.fixture
def past_meeting(app, make_meeting):
    start = utcnow().date() - timedelta(days=5)
    meeting = make_meeting(slug="cpm-le-havre", title="Citizen Port Meeting Le Havre", city="Le Havre", country="FR",
                           venue="Port Center", start_date=start, end_date=start + timedelta(days=1),
                           timezone="Europe/Paris", registration_opens=None, registration_closes=None)
    with app.app_context():
        db.session.add(Letterhead(meeting_id=meeting.id, organisation="HAROPA Port", address="Terre-plein de la Barre",
                                  signatory_name="Jeanne Martin", signatory_title="Directrice", purpose=""))
        db.session.commit()
    return meeting


@pytest.fixture
def delegates(app, past_meeting, make_visit, make_registration):
    boat = make_visit(past_meeting, title="Port tour by boat", start_time=time(15), end_time=time(17))
    museum = make_visit(past_meeting, title="Maritime museum", start_time=time(10), end_time=time(12),
                        day=past_meeting.end_date)
    checked_in = utcnow() - timedelta(days=4)
    ana = make_registration(past_meeting, visits=(boat,), first_name="Ana", last_name="Ruiz",
                            organisation="Port of Bilbao", country="ES", checked_in_at=checked_in)
    with app.app_context():  # waiting for the museum: not a visit she made
        db.session.add(VisitBooking(registration_id=ana.id, visit_id=museum.id, status=BookingStatus.waitlisted))
        db.session.commit()
    louis = make_registration(past_meeting, first_name="Louis", last_name="Éluard", country="FR", language="fr",
                              checked_in_at=checked_in)
    absent = make_registration(past_meeting, first_name="Nils", last_name="Absent")
    cancelled = make_registration(past_meeting, last_name="Gone", status=RegistrationStatus.cancelled,
                                  checked_in_at=checked_in)
    return ana, louis, absent, cancelled


def test_a_checked_in_delegate_downloads_their_certificate_after_the_meeting(client, past_meeting, delegates):
    ana, *_ = delegates
    page = client.get(f"/registrations/{ana.token}").get_data(as_text=True)
    assert f'href="/registrations/{ana.token}/certificate.pdf"' in page
    response = client.get(f"/registrations/{ana.token}/certificate.pdf")
    reader = read_pdf(response)
    text = " ".join(pdf_text(reader).split())
    assert len(reader.pages) == 1
    for expected in ("Certificate of attendance", "Ana Ruiz", "Port of Bilbao", "Citizen Port Meeting Le Havre",
                     "Port tour by boat", "Jeanne Martin", "Directrice", "HAROPA Port",
                     f"CPM-LE-HAVRE/CA/{ana.id:05d}"):
        assert expected in text, expected
    assert "Maritime museum" not in text  # she only waited for it
    assert response.headers["Cache-Control"] == "private, no-store"


def test_no_certificate_without_check_in_or_before_the_end(app, client, past_meeting, delegates, make_meeting,
                                                           make_registration):
    _ana, _louis, absent, cancelled = delegates
    assert client.get(f"/registrations/{absent.token}/certificate.pdf").status_code == 404
    assert client.get(f"/registrations/{cancelled.token}/certificate.pdf").status_code == 404
    running = make_meeting(start_date=utcnow().date() - timedelta(days=1), registration_opens=None,
                           registration_closes=None, end_date=utcnow().date() + timedelta(days=1))
    here = make_registration(running, checked_in_at=utcnow())
    assert client.get(f"/registrations/{here.token}/certificate.pdf").status_code == 404
    assert "certificate.pdf" not in client.get(f"/registrations/{here.token}").get_data(as_text=True)


def test_staff_print_every_certificate_one_page_each_in_each_delegates_language(client, make_user, past_meeting,
                                                                             delegates, make_meeting):
    make_user(email="host@example.org", hosts=(past_meeting,))
    client.login("host@example.org")
    response = client.get(f"/manage/meetings/{past_meeting.slug}/certificates.pdf")
    reader = read_pdf(response)
    assert len(reader.pages) == 2
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Éluard" in first and "Attestation de participation" in first  # by last name: Éluard before Ruiz
    assert "Ana Ruiz" in second and "Certificate of attendance" in second
    assert "Absent" not in first + second and "Gone" not in first + second

    client.post_form("/logout")
    make_user(email="other@example.org", hosts=(make_meeting(),))
    client.login("other@example.org")
    assert client.get(f"/manage/meetings/{past_meeting.slug}/certificates.pdf").status_code == 404


def test_certificates_with_nobody_checked_in_say_so(client, make_user, make_meeting):
    meeting = make_meeting()
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    response = client.get(f"/manage/meetings/{meeting.slug}/certificates.pdf")
    assert response.status_code == 404 and "Nobody has been checked in" in response.get_data(as_text=True)
