"""The one HTML → PDF helper: WeasyPrint with a URL fetcher that serves only the app's static files."""
from __future__ import annotations

import gc
import mimetypes
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, render_template, send_file
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError
from werkzeug.security import safe_join

# Print templates resolve relative URLs against this base. The `.invalid` top-level domain never
# resolves (RFC 2606), and the fetcher below maps it onto the static folder without any network.
STATIC_BASE = "https://portmeet-static.invalid/static/"
PRINT_STYLESHEET = "css/print.css"


class StaticFilesOnly(URLFetcher):
    """Serves `data:` URIs and files of the app's static folder; refuses every other URL (file:, http:…),
    so text typed by a delegate can never pull a local file or a network resource into a PDF."""

    def __init__(self, static_folder: str):
        # `data` is the only protocol the parent class may ever open by itself.
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.static_folder = static_folder

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_BASE):
            relative = unquote(urlsplit(url).path)[len(urlsplit(STATIC_BASE).path):]
            path = safe_join(self.static_folder, relative)
            if path is not None and Path(path).is_file():
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        raise URLFetchingError(f"Refused to fetch {url!r}: print documents use only the app's static files.")


def _fetcher() -> StaticFilesOnly:
    return StaticFilesOnly(current_app.static_folder)


def _print_stylesheet() -> CSS:
    """The shared print stylesheet, parsed once per app (read through the same fetcher)."""
    cache = current_app.extensions.setdefault("portmeet_print_css", {})
    path = Path(current_app.static_folder, PRINT_STYLESHEET)
    mtime = path.stat().st_mtime
    if cache.get("mtime") != mtime:
        cache["css"] = CSS(url=STATIC_BASE + PRINT_STYLESHEET, url_fetcher=_fetcher())
        cache["mtime"] = mtime
    return cache["css"]


def html_to_pdf(html: str) -> bytes:
    """Render print HTML to PDF bytes; title and author metadata come from <title> and <meta name=author>."""
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
    # The layout builds hundreds of thousands of objects that live until the end of the rendering: the
    # cyclic garbage collector would rescan them again and again (a fifth of the time for 1,000 badges).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(stylesheets=[_print_stylesheet()])
    finally:
        if collecting:
            gc.enable()


def render_pdf(template: str, **context) -> bytes:
    return html_to_pdf(render_template(template, **context))


def file_response(data: bytes | str, filename: str, mimetype: str, inline: bool = False,
                  private: bool = True) -> Response:
    """A download with a Content-Disposition file name; private documents are never cached."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    response = send_file(BytesIO(data), mimetype=mimetype, download_name=filename,
                         as_attachment=not inline, max_age=0, etag=False, conditional=False)
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(template: str, filename: str, private: bool = True, **context) -> Response:
    return file_response(render_pdf(template, **context), filename, "application/pdf", inline=True,
                         private=private)
