"""The restated user-agent stylesheet (documents/user_agent.py) lays every printed document out exactly as
WeasyPrint's own: the demo meeting's badges, lists, manifest, catering sheet, programme, itinerary, visa
letter and certificates, long documents in parts with their page footers, compared page by page."""
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pikepdf
from sqlalchemy import select
from weasyprint import HTML

from portmeet.documents import pdf
from portmeet.documents.user_agent import PRINT_USER_AGENT_STYLESHEET, print_user_agent_css
from portmeet.extensions import db
from portmeet.meetings.models import FieldVisit, Meeting
from portmeet.registration.models import IdType
from portmeet.timeutil import utcnow


def _recording_writes(monkeypatch, folder: Path) -> None:
    """Every HTML document handed to WeasyPrint is also written to `folder` with the PDF printed from it, by the
    request's process or a renderer forked from it (pool tasks find the function by its module and name, hence
    the two names)."""
    write = pdf._write_pdf

    def recording(html: str, static_folder: str, without_footers: bool = False, page_counts=None) -> bytes:
        import os
        import time

        printed = write(html, static_folder, without_footers, page_counts)
        name = f"{os.getpid()}-{time.perf_counter_ns()}"
        (folder / f"{name}.json").write_text(json.dumps([html, static_folder, without_footers]))
        (folder / f"{name}.pdf").write_bytes(printed)
        return printed

    recording.__module__, recording.__qualname__ = pdf.__name__, "_write_pdf"
    monkeypatch.setattr(pdf, "_write_pdf", recording)


def _page_contents(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as document:
        return [page.Contents.read_bytes() for page in document.pages]


def test_every_printed_document_comes_out_as_with_weasyprints_own_stylesheet(app, client, runner, make_registration,
                                                                              monkeypatch, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        boat = db.session.scalar(select(FieldVisit).where(FieldVisit.meeting_id == meeting.id,
                                                          FieldVisit.requires_id.is_(True)))
        slug, boat_id = meeting.slug, boat.id
    traveller = make_registration(meeting, first_name="Chidinma", last_name="Okafor", country="NG",
                                  needs_visa_letter=True, id_name="OKAFOR CHIDINMA", nationality="NG",
                                  id_type=IdType.passport, id_number="A07654321",
                                  id_expiry=meeting.end_date + timedelta(days=400), date_of_birth=date(1984, 3, 12),
                                  checked_in_at=utcnow())
    make_registration(meeting, first_name="יעל", last_name="כהן", country="IL", checked_in_at=utcnow())
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    _recording_writes(monkeypatch, recorded)
    # Lists in parts side by side, so that continued parts and page footers are printed too.
    app.config.update(PDF_WORKERS=2, PDF_PARTS_MIN_WEIGHT=1)
    client.login("organiser@portmeet.example", "portmeet-demo")
    urls = [f"/manage/meetings/{slug}/badges.pdf?layout=a4-8", f"/manage/meetings/{slug}/badges.pdf?layout=a6",
            f"/manage/meetings/{slug}/attendees.pdf?waitlist=y", f"/manage/meetings/{slug}/visits/{boat_id}/manifest.pdf",
            f"/manage/meetings/{slug}/catering.pdf", f"/meetings/{slug}/programme.pdf",
            f"/registrations/{traveller.token}/itinerary.pdf",
            f"/manage/meetings/{slug}/registrations/{traveller.id}/invitation-letter.pdf",
            f"/manage/meetings/{slug}/certificates.pdf"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), url

    documents = [(json.loads(path.read_text()), path.with_suffix(".pdf").read_bytes())
                 for path in sorted(recorded.glob("*.json"))]
    footers = [html for (html, _folder, _without), _printed in documents if 'class="footer-page"' in html]
    continued = [html for (html, _folder, without), _printed in documents if without]
    assert footers and len(continued) >= 2, "the attendee list was not printed in parts"
    monkeypatch.undo()
    with app.app_context(), monkeypatch.context() as stock:
        stock.setattr(pdf, "PrintHTML", HTML)
        for (html, static_folder, without_footers), printed in documents:
            theirs = _page_contents(pdf._write_pdf(html, static_folder, without_footers))
            assert _page_contents(printed) == theirs, html[:300]


def test_the_restated_stylesheet_leaves_only_plain_attribute_selectors_to_test_on_every_element():
    """What makes it faster: rules WeasyPrint can find by an element's tag (see the module's docstring)."""
    untagged = PRINT_USER_AGENT_STYLESHEET.matcher.other_selectors
    assert len(untagged) <= 4, len(untagged)
    assert all(entry[3] is None for entry in untagged)  # no pseudo-element styled on every element
    text = print_user_agent_css()
    assert "li::marker {" in text and "::footnote" not in text and "ol[dir=rtl i][dir][dir]" in text
