"""User text can never pull a local file or a network resource into a PDF (the PDF helper's URL fetcher)."""
import http.server
import threading
from pathlib import Path

import pytest
from weasyprint.urls import URLFetchingError

from documents_support import pdf_text, read_pdf
from portmeet.documents.pdf import STATIC_BASE, StaticFilesOnly, html_to_pdf
from portmeet.extensions import db
from portmeet.registration.models import BookingStatus, VisitBooking


class CountingServer:
    """A real HTTP server on a loopback port that counts every request it receives."""

    def __init__(self):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap():
    with CountingServer() as server:
        yield server


def payloads(port: int) -> dict[str, str]:
    """Text a delegate or a host could type, each trying another way to make the renderer fetch something."""
    url = f"http://127.0.0.1:{port}"
    return {
        "img": f'<img src="file:///etc/passwd"><img src="{url}/img">',
        "css": f'<style>@import url({url}/import); p {{ background: url({url}/bg) }}</style>'
               f'<p style="background:url(file:///etc/passwd)">x</p>',
        "link": f'<link rel="stylesheet" href="{url}/link"><link rel="attachment" href="file:///etc/passwd">',
        "svg": f'<svg><image href="{url}/svg"/></svg><object data="file:///etc/hostname"></object>',
        "plain": f"url({url}/plain) file:///etc/passwd",
    }


def test_user_text_in_every_document_fetches_nothing(app, client, organiser, make_meeting, make_session, make_visit,
                                                     make_registration, trap):
    evil = payloads(trap.port)
    meeting = make_meeting(slug="cpm-evil", title=evil["img"][:200], venue=evil["css"][:200],
                           description=evil["link"], host_organisation=evil["svg"][:200])
    make_session(meeting, title=evil["css"][:200], room=evil["plain"][:100], description=evil["img"],
                 speakers=[(evil["img"][:100], evil["link"][:200], "FR")])
    visit = make_visit(meeting, title=evil["svg"][:200], meeting_point=evil["img"][:200],
                       description=evil["css"], requires_id=True)
    registration = make_registration(meeting, first_name=evil["img"][:100], last_name=evil["css"][:100],
                                     badge_name=evil["link"][:100], organisation=evil["svg"][:200],
                                     job_title=evil["plain"][:200], visits=(visit,),
                                     id_number=evil["plain"][:50], nationality="FR")
    with app.app_context():
        waiting = make_registration(meeting, first_name=evil["svg"][:100], last_name="Waiting")
        db.session.add(VisitBooking(registration_id=waiting.id, visit_id=visit.id, status=BookingStatus.waitlisted))
        db.session.commit()
    client.login(organiser.email)
    # Each document with the number of QR codes it prints: the only images any of them may hold.
    documents = {f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a4-8": 2,
                 f"/manage/meetings/{meeting.slug}/badges.pdf?layout=a6": 2,
                 f"/manage/meetings/{meeting.slug}/attendees.pdf?waitlist=y": 0,
                 f"/manage/meetings/{meeting.slug}/visits/{visit.id}/manifest.pdf": 0,
                 f"/meetings/{meeting.slug}/programme.pdf": 0,
                 f"/registrations/{registration.token}/itinerary.pdf": 1}
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for url, qr_codes in documents.items():
        response = client.get(url)
        reader = read_pdf(response)
        text = pdf_text(reader)
        assert "/etc/passwd" in text, url  # the user's text is printed as text...
        assert passwd not in text and b"root:x:0:0" not in response.data, url  # ...and no file came in
        assert not reader.attachments, url
        # Pages may share one resource dictionary: count each image once.
        images = list({image.data: image.image for page in reader.pages for image in page.images}.values())
        assert len(images) == qr_codes, url
        for image in images:  # a QR code: square, 21, 25, 29… modules a side, black and white only
            assert image.width == image.height and (image.width - 17) % 4 == 0, url
            assert set(image.convert("L").getdata()) <= {0, 255}, url
    assert trap.hits == []


@pytest.mark.parametrize("kind", ["img", "css", "link", "svg"])
def test_the_renderer_itself_refuses_files_and_the_network(app, trap, kind):
    """Even markup that reached the renderer unescaped could not fetch: the fetcher is the last wall."""
    html = f"<html><body><p>Before</p>{payloads(trap.port)[kind]}<p>After</p></body></html>"
    with app.app_context():
        pdf = html_to_pdf(html)
    assert b"root:x:0:0" not in pdf
    assert trap.hits == []


def test_the_fetcher_serves_only_static_files_and_data(app, trap):
    fetcher = StaticFilesOnly(app.static_folder)
    assert b"@page" in fetcher.fetch(STATIC_BASE + "css/print.css").read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in ("file:///etc/passwd", f"http://127.0.0.1:{trap.port}/", STATIC_BASE + "../config.py",
                STATIC_BASE + "%2e%2e/config.py", STATIC_BASE + "css/missing.css", "ftp://127.0.0.1/x",
                "https://portmeet-static.invalid/config.py", f"//127.0.0.1:{trap.port}/static/css/print.css"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    assert trap.hits == []


def test_the_print_stylesheet_and_cut_marks_are_read_from_static_files(app, client, organiser, make_meeting,
                                                                       make_registration):
    meeting = make_meeting()
    make_registration(meeting, first_name="Ana", last_name="Ruiz")
    client.login(organiser.email)
    reader = read_pdf(client.get(f"/manage/meetings/{meeting.slug}/badges.pdf"))
    assert "Ana Ruiz" in pdf_text(reader)
    # The cut marks (an SVG of the static folder, drawn as vector art) are on the sheet.
    resources = reader.pages[0]["/Resources"].get_object()
    assert resources.get("/XObject") or resources.get("/Pattern")


def test_a_qr_url_makes_only_the_image_of_its_code(app):
    """`qr:` images are made from the URL's own text: a QR code's PNG, never a file or a fetch."""
    from io import BytesIO

    import segno
    from PIL import Image

    from portmeet.documents.qr import QR_MASK, qr_image

    text = "https://example.org/checkin/cpm/../../etc/passwd?x=1&y=é"
    src = str(qr_image(text)).split('src="', 1)[1].split('"', 1)[0]
    response = StaticFilesOnly(app.static_folder).fetch(src.replace("&amp;", "&"))
    assert response.content_type == "image/png"
    image = Image.open(BytesIO(response.read()))
    expected = segno.make(text, micro=False, mask=QR_MASK).matrix
    assert image.size == (len(expected), len(expected))
    assert [[image.getpixel((x, y)) == 0 for x in range(image.width)] for y in range(image.height)] == \
        [[bool(dark) for dark in row] for row in expected]
