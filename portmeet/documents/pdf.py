"""The one HTML → PDF helper: WeasyPrint with a URL fetcher that serves only the app's static files; long
documents are cut into chunks of pages rendered side by side by a pool of processes, then merged."""
from __future__ import annotations

import gc
import mimetypes
import multiprocessing
import os
from email.message import EmailMessage
import queue
from concurrent.futures import Future, ProcessPoolExecutor
from io import BytesIO
from itertools import repeat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, render_template, send_file
from weasyprint import CSS
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError
from werkzeug.security import safe_join

from portmeet.documents.qr import QR_SCHEME, qr_png
from portmeet.documents.user_agent import PrintHTML

# Print templates resolve relative URLs against this base. The `.invalid` top-level domain never
# resolves (RFC 2606), and the fetcher below maps it onto the static folder without any network.
STATIC_BASE = "https://portmeet-static.invalid/static/"
PRINT_STYLESHEET = "css/print.css"


# Headers of every QR image, parsed once: parsing them for each of a thousand badges took half a second.
_PNG_HEADERS = EmailMessage()
_PNG_HEADERS["Content-Type"] = "image/png"


class StaticFilesOnly(URLFetcher):
    """Serves `data:` URIs, files of the app's static folder and the images of `qr:` codes (made here, from
    the URL's text alone); refuses every other URL (file:, http:…), so text typed by a delegate can never
    pull a local file or a network resource into a PDF."""

    def __init__(self, static_folder: str):
        # `data` is the only protocol the parent class may ever open by itself.
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.static_folder = static_folder

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(QR_SCHEME):
            return URLFetcherResponse(url, qr_png(url), _PNG_HEADERS)
        if url.startswith(STATIC_BASE):
            relative = unquote(urlsplit(url).path)[len(urlsplit(STATIC_BASE).path):]
            path = safe_join(self.static_folder, relative)
            if path is not None and Path(path).is_file():
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        raise URLFetchingError(f"Refused to fetch {url!r}: print documents use only the app's static files.")


def _fetcher() -> StaticFilesOnly:
    return StaticFilesOnly(current_app.static_folder)


# The parsed print stylesheet of each static folder (one per app), with the mtime it was parsed at. Module
# level, so that the processes forked to render chunks inherit it already parsed.
_STYLESHEETS: dict[str, tuple[float, CSS]] = {}


def _print_stylesheet() -> CSS:
    """The shared print stylesheet, parsed once per app (read through the same fetcher)."""
    folder = current_app.static_folder
    mtime = Path(folder, PRINT_STYLESHEET).stat().st_mtime
    cached = _STYLESHEETS.get(folder)
    if cached is None or cached[0] != mtime:
        cached = _STYLESHEETS[folder] = (mtime, CSS(url=STATIC_BASE + PRINT_STYLESHEET, url_fetcher=_fetcher()))
    return cached[1]


# Parts of a flowing document are printed without page footers: their page numbers are known only once
# every part is laid out, and are stamped on the joined pages then (see render_pdf_in_parts).
NO_PAGE_FOOTERS = "@page { @bottom-left { content: none; } @bottom-right { content: none; } }"


def _write_pdf(html: str, static_folder: str, without_footers: bool = False, page_counts=None) -> bytes:
    """`html` as PDF bytes; with `page_counts` (a queue), its number of pages is put there once it is laid out,
    before the PDF is written (render_pdf_in_parts prints the page footers meanwhile)."""
    document = PrintHTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFilesOnly(static_folder))
    stylesheets = [_STYLESHEETS[static_folder][1]]
    if without_footers:
        stylesheets.append(CSS(string=NO_PAGE_FOOTERS))
    # The layout builds hundreds of thousands of objects that live until the end of the rendering: the
    # cyclic garbage collector would rescan them again and again (a fifth of the time for 1,000 badges).
    collecting = gc.isenabled()
    gc.disable()
    try:
        laid_out = document.render(stylesheets=stylesheets)
        if page_counts is not None:
            page_counts.put(len(laid_out.pages))
        return laid_out.write_pdf()
    finally:
        if collecting:
            gc.enable()


def html_to_pdf(html: str) -> bytes:
    """Render print HTML to PDF bytes; title and author metadata come from <title> and <meta name=author>."""
    _print_stylesheet()
    return _write_pdf(html, current_app.static_folder)


def pdf_workers() -> int:
    """How many processes render the chunks of a long document: PDF_WORKERS, else the usable cores."""
    configured = current_app.config.get("PDF_WORKERS")
    return int(configured) if configured else len(os.sched_getaffinity(0))


# In a forked renderer: where a part printed without footers reports its number of pages (see _write_part).
_part_page_counts = None


def _start_renderer(engine, page_counts) -> None:
    """In a forked renderer: the parent's database connections are not ours to use or close; `page_counts` is
    the queue this renderer's parts report their page counts to (render_pdf_in_parts)."""
    global _part_page_counts
    engine.dispose(close=False)
    _part_page_counts = page_counts


def _write_part(html: str, static_folder: str) -> bytes:
    return _write_pdf(html, static_folder, without_footers=True, page_counts=_part_page_counts)


def _renderer_pool(tasks: int, page_counts=None) -> ProcessPoolExecutor:
    """Processes forked from this one, so that they start warm (fonts, parsed print CSS) and each holds only its
    own pages' layout in memory."""
    from portmeet.extensions import db

    return ProcessPoolExecutor(max_workers=min(pdf_workers(), tasks), mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_renderer, initargs=(db.engine, page_counts))


def _render_side_by_side(htmls: list[str]) -> list[bytes]:
    """Each HTML document as PDF bytes, laid out side by side by the renderer pool (in this process when one
    renderer is all there is)."""
    _print_stylesheet()
    folder = current_app.static_folder
    if min(pdf_workers(), len(htmls)) <= 1:
        return [_write_pdf(html, folder) for html in htmls]
    with _renderer_pool(len(htmls)) as pool:
        return list(pool.map(_write_pdf, htmls, repeat(folder)))


def _total_pages(page_counts, parts: list[Future]) -> int:
    """The sum of the parts' numbers of pages, as their renderers report them; a part that failed raises here."""
    total = reported = 0
    while reported < len(parts):
        try:
            total += page_counts.get(timeout=0.05)
            reported += 1
        except queue.Empty:
            for part in parts:
                if part.done():
                    part.result()  # a part that failed raises its error here
    return total


def htmls_to_pdf(htmls: list[str]) -> bytes:
    """Render consecutive parts of one document, each ending on a page boundary (a badge sheet), side by side,
    and join their pages in order: a thousand badges take half the time on two cores. The metadata
    (title, author) is the first part's."""
    return merge_pdfs(_render_side_by_side(htmls))


def merge_pdfs(parts: list[bytes], overlay: bytes | None = None) -> bytes:
    """The pages of several PDFs as one, with the first one's metadata (title, author); the pages of
    `overlay` (page footers), if given, drawn over them one for one. pikepdf (qpdf, in C++) joins a thousand
    badges' parts in a twentieth of a second, where pypdf took a third (6 % of the whole sheet)."""
    if len(parts) == 1 and overlay is None:
        return parts[0]
    import pikepdf

    merged = pikepdf.open(BytesIO(parts[0]))
    sources = [pikepdf.open(BytesIO(part)) for part in parts[1:]]  # open until the merged file is written
    for source in sources:
        merged.pages.extend(source.pages)
    if overlay is not None:
        footers = pikepdf.open(BytesIO(overlay))
        sources.append(footers)
        if len(footers.pages) != len(merged.pages):
            raise ValueError(f"{len(footers.pages)} page footers for {len(merged.pages)} pages")
        for page, footer in zip(merged.pages, footers.pages):
            page.add_overlay(footer)
    out = BytesIO()
    merged.save(out)
    for pdf in (merged, *sources):
        pdf.close()
    return out.getvalue()


def balanced_runs(items: list, weights: list[int], count: int) -> list[list]:
    """`items` cut into at most `count` consecutive runs of about equal weight (never an empty run)."""
    total, runs, current, done = sum(weights), [], [], 0
    for item, weight in zip(items, weights):
        if current and done >= total * (len(runs) + 1) / count and len(runs) < count - 1:
            runs.append(current)
            current = []
        current.append(item)
        done += weight
    return runs + [current] if current else runs


def render_pdf(template: str, **context) -> bytes:
    return html_to_pdf(render_template(template, **context))


def render_pdf_in_chunks(template: str, pages_key: str, pages: list, **context) -> bytes:
    """A document of `pages` (one printed page each, e.g. badge sheets) rendered PDF_CHUNK_PAGES at a time
    by the renderer pool; short documents in one piece."""
    size = current_app.config["PDF_CHUNK_PAGES"]
    chunks = [pages[start:start + size] for start in range(0, len(pages), size)] or [pages]
    if len(chunks) == 1:
        return render_pdf(template, **{pages_key: pages}, **context)
    return htmls_to_pdf([render_template(template, **{pages_key: chunk}, **context) for chunk in chunks])


def render_pdf_in_parts(template: str, key: str, items: list, weights: list[int], **context) -> bytes:
    """A flowing document with page footers (the attendee list: `items` are its country groups, `weights`
    their rows) cut between items into one part per renderer, rendered side by side. Each later part
    starts on a new page (`continued` is true in its template) and leaves out the page footers, which are
    drawn over the joined pages from templates/documents/page_footers.html (page N of all), printed here
    as soon as every part is laid out, while the renderers write their PDFs.
    Below PDF_PARTS_MIN_WEIGHT rows in all, one piece: the pool would cost more than it saves."""
    workers = pdf_workers()
    if workers <= 1 or len(items) < 2 or sum(weights) < current_app.config["PDF_PARTS_MIN_WEIGHT"]:
        return render_pdf(template, **{key: items}, **context)
    htmls = [render_template(template, **{key: run}, continued=number > 0, **context)
             for number, run in enumerate(balanced_runs(items, weights, workers))]
    _print_stylesheet()
    page_counts = multiprocessing.get_context("fork").Queue()
    with _renderer_pool(len(htmls), page_counts) as pool:
        parts = [pool.submit(_write_part, html, current_app.static_folder) for html in htmls]
        # The footers are printed here while the renderers write their parts' PDFs.
        footers = html_to_pdf(render_template("documents/page_footers.html",
                                              pages=_total_pages(page_counts, parts), **context))
        return merge_pdfs([part.result() for part in parts], overlay=footers)


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
