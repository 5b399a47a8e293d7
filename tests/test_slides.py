"""Presentations: slides uploaded as checked PDFs or given as links, public or for registered delegates only."""
import io
import os
from datetime import time

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from portmeet.extensions import db
from portmeet.meetings.models import ProgrammeSession
from portmeet.registration.models import RegistrationStatus

MB = 1024 * 1024


@pytest.fixture(scope="module")
def slides_pdf() -> bytes:
    return HTML(string="<h1>Port centres in Europe</h1><p style='break-before: page'>Second slide</p>").write_pdf()


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(slug="cpm-genoa", title="Citizen Port Meeting Genoa")


@pytest.fixture
def session(meeting, make_session):
    return make_session(meeting, title="Port centres in Europe", start_time=time(9), end_time=time(10),
                        speakers=[("Ana Ruiz", "Port of Bilbao", "ES")])


@pytest.fixture
def host(client, make_user, meeting):
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    return client


def session_form(session, **extra) -> dict:
    data = {"title": session.title, "day": session.day.isoformat(), "start_time": "09:00", "end_time": "10:00",
            "kind": "plenary", "room": session.room, "description": "", "speakers": "Ana Ruiz, Port of Bilbao, ES"}
    data.update(extra)
    return data


def upload(client, meeting, session, content: bytes | None, filename="slides.pdf", **extra):
    data = session_form(session, **extra)
    if content is not None:
        data["slides"] = (io.BytesIO(content), filename, "application/pdf")
    return client.post_form(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/edit", data,
                            content_type="multipart/form-data")


def stored(app, session) -> ProgrammeSession:
    with app.app_context():
        return db.session.get(ProgrammeSession, session.id)


def uploaded_files(app) -> list[str]:
    folder = app.config["UPLOAD_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_public_slides_are_listed_and_download_as_an_attachment(app, host, client, meeting, session, slides_pdf):
    response = upload(host, meeting, session, slides_pdf, filename="Ruiz – port centres.pdf", slides_public="y")
    assert response.status_code == 303
    assert uploaded_files(app) and not any(name.endswith(".pdf") for name in os.listdir(app.static_folder))
    client.post_form("/logout")

    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert 'id="presentations"' in page and "Port centres in Europe" in page
    link = f"/meetings/{meeting.slug}/sessions/{session.id}/slides.pdf"
    assert f'href="{link}"' in page
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "port%20centres.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == slides_pdf
    assert len(PdfReader(io.BytesIO(download.data)).pages) == 2


def test_delegates_only_slides_open_only_through_a_private_link(app, host, client, meeting, session, slides_pdf,
                                                                make_registration):
    assert upload(host, meeting, session, slides_pdf).status_code == 303
    client.post_form("/logout")
    assert client.get(f"/meetings/{meeting.slug}/sessions/{session.id}/slides.pdf").status_code == 404
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "For registered delegates" in page and "slides.pdf" not in page

    delegate = make_registration(meeting)
    own_page = client.get(f"/registrations/{delegate.token}").get_data(as_text=True)
    link = f"/registrations/{delegate.token}/sessions/{session.id}/slides.pdf"
    assert f'href="{link}"' in own_page
    download = client.get(link)
    assert download.status_code == 200 and download.data == slides_pdf
    assert download.headers["Cache-Control"] == "private, no-store"

    cancelled = make_registration(meeting, status=RegistrationStatus.cancelled)
    assert client.get(f"/registrations/{cancelled.token}/sessions/{session.id}/slides.pdf").status_code == 404
    assert client.get(f"/registrations/not-a-token/sessions/{session.id}/slides.pdf").status_code == 404


def test_another_meetings_delegate_cannot_reach_the_slides(app, host, client, meeting, session, slides_pdf,
                                                          make_meeting, make_registration):
    upload(host, meeting, session, slides_pdf)
    other = make_registration(make_meeting())
    assert client.get(f"/registrations/{other.token}/sessions/{session.id}/slides.pdf").status_code == 404


@pytest.mark.parametrize("content, message", [
    (b"<!doctype html><script>alert(1)</script>", "not a PDF"),
    (b"", "The file is empty"),
    (b"GIF89a" + b"\x00" * 64, "not a PDF"),
])
def test_a_file_that_is_not_a_pdf_is_refused(app, host, meeting, session, content, message):
    response = upload(host, meeting, session, content, filename="slides.pdf")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app, session).slides_file is None and uploaded_files(app) == []


def test_a_truncated_pdf_is_refused(app, host, meeting, session, slides_pdf):
    response = upload(host, meeting, session, slides_pdf[: len(slides_pdf) // 2])
    assert response.status_code == 400
    assert "damaged or incomplete" in response.get_data(as_text=True)
    assert stored(app, session).slides_file is None and uploaded_files(app) == []


def test_a_30_mb_file_is_refused_with_a_clear_message(app, host, meeting, session, slides_pdf):
    response = upload(host, meeting, session, slides_pdf + b"\n%" + b"x" * (30 * MB))
    assert response.status_code == 413
    assert "at most 20 MB" in response.get_data(as_text=True)
    assert stored(app, session).slides_file is None and uploaded_files(app) == []


def test_the_larger_request_limit_holds_only_on_the_upload_route(app, client, meeting):
    response = client.post_form(f"/meetings/{meeting.slug}/register", {"first_name": "x" * MB})
    assert response.status_code == 413


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "ftp://x.org/a",
                                  "https://"])
def test_a_link_that_is_not_http_is_refused(app, host, meeting, session, link):
    response = upload(host, meeting, session, None, slides_url=link, slides_public="y")
    assert response.status_code == 400
    assert "https://" in response.get_data(as_text=True)
    assert stored(app, session).slides_url == ""


def test_a_link_is_shown_and_never_fetched(app, host, client, meeting, session):
    assert upload(host, meeting, session, None, slides_url="https://slides.example.org/ruiz",
                  slides_public="y").status_code == 303
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert 'href="https://slides.example.org/ruiz"' in page and 'rel="noopener noreferrer nofollow"' in page


def test_a_new_upload_replaces_the_old_file_and_removing_deletes_it(app, host, meeting, session, slides_pdf):
    upload(host, meeting, session, slides_pdf)
    first = uploaded_files(app)
    upload(host, meeting, session, slides_pdf + b"\n")
    second = uploaded_files(app)
    assert len(first) == len(second) == 1 and first != second
    assert stored(app, session).slides_file == second[0]
    # Saving the form without a file keeps the slides.
    assert upload(host, meeting, session, None).status_code == 303 and uploaded_files(app) == second
    assert upload(host, meeting, session, None, remove_slides="y").status_code == 303
    assert uploaded_files(app) == [] and stored(app, session).slides_file is None


def test_another_meetings_host_cannot_see_unpublished_slides(app, host, client, meeting, session, slides_pdf,
                                                            make_user, make_meeting):
    upload(host, meeting, session, slides_pdf)
    client.post_form("/logout")
    make_user(email="other@example.org", hosts=(make_meeting(),))
    client.login("other@example.org")
    assert client.get(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/slides.pdf").status_code == 404


def test_deleting_a_session_deletes_its_slides_file(app, host, meeting, session, slides_pdf):
    upload(host, meeting, session, slides_pdf)
    assert len(uploaded_files(app)) == 1
    response = host.post_form(f"/manage/meetings/{meeting.slug}/sessions/{session.id}/delete", {"confirm": "y"})
    assert response.status_code == 303
    assert uploaded_files(app) == []
