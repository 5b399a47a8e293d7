"""Times the printed documents with 1,000 registrations: badges, attendee list and programme PDFs.

    .venv/bin/python benchmarks/bench_documents.py [--registrations 1000] [--runs 5]

Loads a SQLite file with one meeting, a two-day programme, four field visits and `registrations`
confirmed delegates (names in Latin with accents, Greek, Cyrillic, Hebrew and Arabic; 40 countries).
Each run is a fresh child process that signs in, renders a one-badge sheet to warm up (fonts, print
CSS, templates), then times one whole request through the test client and reports its peak resident
memory (ru_maxrss). For comparison the same badge sheet (8 per A4 page: name shrunk to fit,
organisation, country, category band, meeting line, QR code) is drawn directly with ReportLab, the
library Indico and pretix use. The documents take turns within each run (A/B alternating), so that
the load of a shared machine weighs on each alike; prints the median of the runs.

Long documents are rendered by a pool of forked processes (portmeet.documents.pdf): CPU counts the
request's process and its renderers; memory is the peak, sampled every 20 ms, of the proportional set
size (PSS: pages shared after the fork counted once) summed over the process and its renderers, in a run of
its own (sampling would slow the timed run: see PeakMemory).

Targets on a 2-core machine: 1,000 badges under 4 s, within 1.2x of ReportLab (the median of each
run's ratio) and under 300 MB; the attendee list under 3 s; the programme under 1 s.
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, select  # noqa: E402

from config import TestConfig  # noqa: E402
from portmeet import create_app  # noqa: E402
from portmeet.accounts.models import User  # noqa: E402
from portmeet.documents.cache import CachedDocument  # noqa: E402
from portmeet.extensions import db  # noqa: E402
from portmeet.meetings.models import (  # noqa: E402
    FieldVisit,
    Meeting,
    MeetingStatus,
    ProgrammeSession,
    SessionKind,
    Speaker,
    Transport,
)
from portmeet.registration.models import Category, Registration, RegistrationStatus, hash_token  # noqa: E402
from portmeet.timeutil import utcnow  # noqa: E402

PASSWORD = "bench-password-42"
FIRST_NAMES = ["Iñaki", "Νίκος", "Øyvind", "Мария", "יעל", "ليلى", "Anna", "João", "Zoë", "Łukasz", "Chloé",
               "Giulia", "Αικατερίνη", "Александр", "אברהם", "محمد", "Maximiliana-Alexandrina", "Seán"]
LAST_NAMES = ["Goñi", "Παπαδόπουλος", "Ødegård", "Иванова", "כהן", "حداد", "Schmidt", "Araújo", "Brontë",
              "Wałęsa", "Lefèvre", "Rossi", "Κωνσταντινοπούλου", "Преображенский", "בן־דוד", "عبد الرحمن",
              "von Hohenzollern-Sigmaringen", "Ó Briain"]
COUNTRIES = ["ES", "FR", "IT", "PT", "GR", "DE", "NL", "BE", "DK", "SE", "NO", "FI", "PL", "EE", "LV", "LT", "IE",
             "GB", "MA", "TN", "DZ", "EG", "IL", "LB", "TR", "HR", "SI", "MT", "CY", "RO", "BG", "UA", "GE", "CA",
             "US", "BR", "AR", "JP", "KR", "SN"]
DOCUMENTS = {
    "badges a4-8 (WeasyPrint)": "/manage/meetings/{slug}/badges.pdf?layout=a4-8",
    "badges a4-8 (ReportLab)": None,
    "attendee list PDF": "/manage/meetings/{slug}/attendees.pdf",
    "programme PDF": "/meetings/{slug}/programme.pdf",
}
TARGETS = {"badges a4-8 (WeasyPrint)": 4.0, "attendee list PDF": 3.0, "programme PDF": 1.0}


def bench_config(url: str) -> type:
    return type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def load(url: str, registrations: int) -> str:
    """A fresh database: one published meeting with its programme, visits and confirmed delegates."""
    rng = random.Random(4)
    app = create_app(bench_config(url))
    with app.app_context():
        db.create_all()
        organiser = User(email="organiser@example.org", name="Olga Organiser", is_organiser=True)
        organiser.set_password(PASSWORD)
        start = utcnow().date() + timedelta(days=20)
        meeting = Meeting(title="6th Citizen Port Meeting", edition=6, slug="bench", city="Bilbao", country="ES",
                          venue="Itsasmuseum", start_date=start, end_date=start + timedelta(days=1),
                          timezone="Europe/Madrid", capacity=5000, status=MeetingStatus.published,
                          host_organisation="Bilbao Port Authority", contact_email="contact@bilbaoport.example",
                          registration_opens=datetime.combine(start - timedelta(days=60), time(9)),
                          registration_closes=datetime.combine(start - timedelta(days=1), time(23)))
        db.session.add_all([organiser, meeting])
        db.session.flush()
        kinds = [SessionKind.plenary, SessionKind.workshop, SessionKind.debate, SessionKind.break_]
        for day in (start, start + timedelta(days=1)):
            for n in range(10):
                session = ProgrammeSession(meeting_id=meeting.id, day=day, start_time=time(8 + n), end_time=time(9 + n),
                                           title=f"Session {n + 1}: the port and its city", kind=kinds[n % 4],
                                           room="Auditorium", description="How port authorities open up to citizens.")
                session.speakers = [Speaker(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                            organisation="Port Authority", country=rng.choice(COUNTRIES), position=i)
                                    for i in range(3)]
                db.session.add(session)
            for n, title in enumerate(("Port tour by boat", "Port Center")):
                db.session.add(FieldVisit(meeting_id=meeting.id, title=title, day=day, start_time=time(14 + 2 * n),
                                          end_time=time(15 + 2 * n), meeting_point="Pier 3", transport=Transport.boat,
                                          capacity=40, requires_id=False))
        now = utcnow()
        rows = [dict(meeting_id=meeting.id, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                     badge_name="", email=f"delegate{n}@example.org", email_normalized=f"delegate{n}@example.org",
                     organisation=rng.choice(["Port of Genoa", "Autoridad Portuaria de la Bahía de Algeciras",
                                              "Ελληνικοί Λιμένες", "Порт Одеса", "נמל חיפה", "ميناء طنجة المتوسط"]),
                     job_title="", country=COUNTRIES[n % len(COUNTRIES)], phone="", category=rng.choice(list(Category)),
                     dietary="", accessibility="", consent_list=True, status=RegistrationStatus.confirmed,
                     token_hash=hash_token(f"bench-{n}"), created_at=now, updated_at=now)
                for n in range(registrations)]
        db.session.execute(insert(Registration), rows)
        db.session.commit()
        return meeting.slug


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the renderer pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def tree_pss_mb() -> float:
    """The proportional set size of this process and all its descendants, in MB."""
    pids, seen, total = [os.getpid()], set(), 0
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # the process ended meanwhile
    return total / 1024


class PeakMemory:
    """Samples the process tree's PSS in a thread while a block runs; with `sampling` off, only before and after.

    Sampling reads every process's smaps_rollup (about 1.3 ms per 300 MB process here): every 20 ms that takes
    a sixth of a core, which the renderers of a sheet on both cores would lose but a one-core drawing would not.
    So the time and the memory of a document are measured in separate runs (see `run_child`)."""

    def __init__(self, sampling: bool = True):
        self.sampling = sampling

    def __enter__(self):
        self.peak, self._stop = tree_pss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if self.sampling:
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, tree_pss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        if self.sampling:
            self._thread.join()
        self.peak = max(self.peak, tree_pss_mb())


def page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def child_weasyprint(url: str, path: str, sampling: bool) -> dict:
    app = create_app(bench_config(url))
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token})
    with app.app_context():
        first = db.session.scalar(select(Registration.id).order_by(Registration.id))
    warm = client.get(f"/manage/meetings/bench/badges.pdf?ids={first}")  # fonts, print CSS, templates
    assert warm.status_code == 200, warm.status_code
    with app.app_context():  # the rendering is timed here, not the shared cache (bench_cached_documents.py)
        db.session.execute(delete(CachedDocument))
        db.session.commit()
    baseline = tree_pss_mb()
    with PeakMemory(sampling) as memory:
        started, cpu = clock.perf_counter(), cpu_seconds()
        response = client.get(path)
        seconds, cpu = clock.perf_counter() - started, cpu_seconds() - cpu
    assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status_code
    return dict(seconds=seconds, cpu=cpu, peak_mb=memory.peak, baseline_mb=baseline, pages=page_count(response.data))


def child_reportlab(url: str, sampling: bool) -> dict:
    """The same A4 sheet of 8 badges drawn directly with ReportLab (no HTML, no CSS layout)."""
    import segno
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from portmeet.countries import country_name
    from portmeet.documents import service
    from portmeet.documents.qr import QR_MASK
    from portmeet.labels import label

    fonts = {"Noto": "NotoSans-Regular.ttf", "Noto-Bold": "NotoSans-Bold.ttf", "Hebrew": "NotoSansHebrew-Bold.ttf",
             "Arabic": "NotoSansArabic-Bold.ttf"}
    for name, file in fonts.items():
        pdfmetrics.registerFont(TTFont(name, f"/usr/share/fonts/truetype/noto/{file}"))

    def name_font(text: str) -> str:
        # ReportLab picks one font per string (and, without HarfBuzz, neither shapes Arabic nor reorders RTL).
        if any("\u0590" <= c <= "\u05ff" for c in text):
            return "Hebrew"
        if any("\u0600" <= c <= "\u06ff" for c in text):
            return "Arabic"
        return "Noto-Bold"

    app = create_app(bench_config(url))
    baseline = tree_pss_mb()
    memory = PeakMemory(sampling).__enter__()
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        started, cpu = clock.perf_counter(), cpu_seconds()
        meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "bench"))
        registrations = service.badge_registrations(meeting)
        out = tempfile.SpooledTemporaryFile()
        canvas = Canvas(out, pagesize=A4)
        canvas.setTitle(f"Badges · {meeting.title}")
        width, height = 90 * mm, 60 * mm
        left, top = 15 * mm, A4[1] - 28.5 * mm
        dates = f"{meeting.start_date:%d}–{meeting.end_date:%d %B %Y}"
        for index, registration in enumerate(registrations):
            slot = index % 8
            if slot == 0 and index:
                canvas.showPage()
            x, y = left + (slot % 2) * width, top - (slot // 2 + 1) * height
            if slot == 0:  # cut marks
                canvas.setLineWidth(0.2 * mm)
                for column in range(3):
                    canvas.line(left + column * width, top + 1 * mm, left + column * width, top + 5 * mm)
                    canvas.line(left + column * width, top - 4 * height - 1 * mm, left + column * width,
                                top - 4 * height - 5 * mm)
                for row in range(5):
                    canvas.line(left - 5 * mm, top - row * height, left - 1 * mm, top - row * height)
                    canvas.line(left + 2 * width + 1 * mm, top - row * height, left + 2 * width + 5 * mm,
                                top - row * height)
            canvas.setFillColor("#3a4753")
            canvas.setFont("Noto-Bold", 7)
            canvas.drawString(x + 5 * mm, y + height - 6 * mm, meeting.title)
            canvas.setFont("Noto", 7)
            canvas.drawString(x + 5 * mm, y + height - 9 * mm, f"{dates} · {meeting.city}")
            name, font = registration.display_badge_name, name_font(registration.display_badge_name)
            size = 24.0
            while size > 7 and pdfmetrics.stringWidth(name, font, size) > 80 * mm:
                size -= 0.5
            canvas.setFillColor("#1c2733")
            canvas.setFont(font, size)
            canvas.drawCentredString(x + width / 2, y + height - 24 * mm, name)
            canvas.setFont(name_font(registration.organisation).replace("Noto-Bold", "Noto"), 9)
            canvas.drawString(x + 5 * mm, y + height - 34 * mm, registration.organisation)
            canvas.setFont("Noto-Bold", 9)
            canvas.drawString(x + 5 * mm, y + height - 46 * mm, country_name(registration.country))
            qr = segno.make(service.checkin_url(registration, meeting), micro=False, mask=QR_MASK)
            module = 19 * mm / qr.symbol_size(border=0)[0]
            path = canvas.beginPath()
            for row_index, row in enumerate(qr.matrix):  # one rectangle per run of dark modules
                column_index = 0
                while column_index < len(row):
                    if not row[column_index]:
                        column_index += 1
                        continue
                    run = column_index
                    while run < len(row) and row[run]:
                        run += 1
                    path.rect(x + 67 * mm + column_index * module, y + height - 30 * mm - (row_index + 1) * module,
                              (run - column_index) * module, module)
                    column_index = run
            canvas.drawPath(path, stroke=0, fill=1)
            colour, ink = service.CATEGORY_COLOURS[registration.category]
            canvas.setFillColor(colour)
            canvas.rect(x, y, width, 9 * mm, stroke=0, fill=1)
            canvas.setFillColor(ink)
            canvas.setFont("Noto-Bold", 11)
            canvas.drawCentredString(x + width / 2, y + 3 * mm, str(label(registration.category)).upper())
        canvas.save()
        seconds, cpu = clock.perf_counter() - started, cpu_seconds() - cpu
        memory.__exit__(None, None, None)
        out.seek(0)
        pages = page_count(out.read())
    return dict(seconds=seconds, cpu=cpu, peak_mb=memory.peak, baseline_mb=baseline, pages=pages)


def run_child(document: str, url: str) -> dict:
    """One run of a document: its time and CPU from a child that does not sample memory, its peak memory from
    a second child that does (see PeakMemory)."""
    results = {}
    for measure in ("time", "memory"):
        output = subprocess.run([sys.executable, __file__, "--child", document, "--database", url, "--measure", measure],
                                check=True, capture_output=True, text=True).stdout
        results[measure] = json.loads(output.strip().splitlines()[-1])
    timed, sampled = results["time"], results["memory"]
    return {**timed, "peak_mb": sampled["peak_mb"], "baseline_mb": sampled["baseline_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run only the documents whose name contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=("time", "memory"), default="time", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path = DOCUMENTS[args.child]
        sampling = args.measure == "memory"
        result = child_reportlab(args.database, sampling) if path is None else child_weasyprint(
            args.database, path.format(slug="bench"), sampling)
        print(json.dumps(result))
        return

    load_average = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"{args.registrations} confirmed registrations, 40 countries; median of {args.runs} runs, "
          f"each a fresh process; load average {load_average} at the start\n")
    documents = [document for document in DOCUMENTS if not args.only or args.only in document]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        load(url, args.registrations)
        runs: dict[str, list[dict]] = {document: [] for document in documents}
        for _ in range(args.runs):  # the documents take turns
            for document in documents:
                runs[document].append(run_child(document, url))
        for document, results in runs.items():
            seconds = statistics.median(r["seconds"] for r in results)
            cpu = statistics.median(r["cpu"] for r in results)
            peak = statistics.median(r["peak_mb"] for r in results)
            baseline = statistics.median(r["baseline_mb"] for r in results)
            target = TARGETS.get(document)
            verdict = "" if target is None else ("  ok" if seconds < target else f"  OVER the {target:g} s target")
            print(f"{document:<26} {seconds:6.2f} s (min {min(r['seconds'] for r in results):5.2f}, "
                  f"max {max(r['seconds'] for r in results):5.2f}; CPU {cpu:5.2f} s)  peak RSS {peak:4.0f} MB "
                  f"(before rendering {baseline:4.0f} MB)  {results[0]['pages']} pages{verdict}")
    weasy, lab = runs.get("badges a4-8 (WeasyPrint)"), runs.get("badges a4-8 (ReportLab)")
    if weasy and lab:
        ratio = statistics.median(w["seconds"] / r["seconds"] for w, r in zip(weasy, lab))
        cpu_ratio = statistics.median(w["cpu"] / r["cpu"] for w, r in zip(weasy, lab))
        print(f"\nbadges: WeasyPrint / ReportLab = {ratio:.2f}x in time (median of the runs' ratios; target "
              f"within 1.2x), {cpu_ratio:.2f}x in CPU")


if __name__ == "__main__":
    main()
