"""Presentations: a session's slides, an uploaded PDF checked by its bytes or a link, public or for delegates."""
from __future__ import annotations

import logging
import re
import unicodedata
from io import BytesIO
from urllib.parse import urlsplit

from flask_babel import gettext as _
from pypdf import PdfReader

from portmeet import uploads
from portmeet.extensions import db
from portmeet.meetings.models import Meeting, ProgrammeSession

MAX_SLIDES_BYTES = 20 * uploads.MB
PDF_MAGIC = b"%PDF-"


class SlidesError(ValueError):
    """An upload or a link that cannot be accepted; the message says why, for the form."""


def check_pdf(data: bytes) -> None:
    """Accept only a PDF: by its first bytes and because pypdf reads every page of it (a renamed HTML
    file, a truncated download or a broken file is refused). Raises SlidesError."""
    if not data:
        raise SlidesError(_("The file is empty."))
    if len(data) > MAX_SLIDES_BYTES:
        raise SlidesError(_("The file is too large: slides may be at most 20 MB."))
    if not data.lstrip(b"\r\n\t ")[:5] == PDF_MAGIC:
        raise SlidesError(_("This file is not a PDF. Export the slides as PDF and upload that file."))
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # a broken upload is the user's mistake, not the server's
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise SlidesError(_("This PDF is protected by a password; upload it without one."))
        if len(reader.pages) == 0:
            raise SlidesError(_("This PDF has no pages."))
        for page in reader.pages:
            page.mediabox  # noqa: B018 — reading each page's box walks the whole page tree
    except SlidesError:
        raise
    except Exception:  # noqa: BLE001 — pypdf raises many kinds of errors on a damaged file
        raise SlidesError(_("This PDF is damaged or incomplete (was the upload cut short?); "
                            "please export it again.")) from None
    finally:
        pypdf_log.setLevel(level)


def check_link(url: str) -> str:
    """A slides link: http or https with a host, shown as a link and never fetched. Raises SlidesError."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise SlidesError(_("Enter a web address starting with https:// or http://."))
    return url


def safe_filename(name: str) -> str:
    """The uploaded file's name as offered for download: its base name, printable, ending in .pdf."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()[:150] or "slides"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def save_slides(session: ProgrammeSession, *, upload: bytes | None, filename: str = "", url: str = "",
                public: bool = False, remove: bool = False) -> None:
    """Set a session's slides: a new upload replaces the old file; `remove` drops the file; the link and
    the public flag are set as given. Checks everything first, so a refusal changes nothing."""
    url = check_link(url)
    if upload is not None:
        check_pdf(upload)
    if upload is not None or remove:
        uploads.discard(session.slides_file)
        session.slides_file, session.slides_name, session.slides_size = None, "", 0
    if upload is not None:
        session.slides_file = uploads.store(upload, "pdf")
        session.slides_name = safe_filename(filename)
        session.slides_size = len(upload)
    session.slides_url = url
    session.slides_public = bool(public)
    db.session.flush()


def presentations(meeting: Meeting) -> list[ProgrammeSession]:
    """The meeting's sessions that have slides, in programme order."""
    return [session for session in meeting.sessions if session.has_slides]


def slides_path(session: ProgrammeSession):
    return uploads.path_of(session.slides_file)
