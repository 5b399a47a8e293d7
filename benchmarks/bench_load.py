"""Load test: gunicorn on PostgreSQL under concurrent delegates, with an organiser reading the table.

    .venv/bin/python benchmarks/bench_load.py [--seconds 60] [--clients 50] [--runs 1] [--workers N]

Each run creates a fresh PostgreSQL database (BENCH_LOAD_DATABASE_URL, default a local
portmeet_bench_load), builds its schema with `flask db upgrade`, loads one published meeting with a
programme and four field visits (one needing ID data), and starts gunicorn (sync workers, as many as
cores) on a loopback port with rate limits off. Then `--clients` threads, each with its own HTTP
session, for `--seconds`: 80 % meeting page, 15 % full registrations (the form, its CSRF token, one or
two visit picks, the POST that must answer 303), 5 % the manage registrations table signed in as an
organiser. Prints requests per second, p50/p95/p99 per page and the errors (must be 0); then checks
on the database that no visit holds more booked delegates than its places, that no pick waits while
its visit has a free place, and that every accepted registration (each 303) is in the database.
Everything stops by itself; the database is dropped at the end unless --keep.
"""
import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/portmeet_bench_load")
SLUG = "bench-load"
ORGANISER = ("organiser@bench.example", "bench-organiser-password-42")
PAGES = ("meeting page", "registration form", "registration POST", "manage registrations")
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
VISIT_CHECKBOX = re.compile(r'name="visits" value="(\d+)"')
COUNTRIES = ("ES", "FR", "IT", "PT", "GR", "NL", "BE", "DE", "DK", "SE", "NO", "FI", "PL", "IE", "GB", "MA", "TN", "IL")
NAMES = (("Iñaki", "Goñi"), ("Νίκος", "Παπαδόπουλος"), ("Øyvind", "Ødegård"), ("Мария", "Иванова"),
         ("Anna", "Schmidt"), ("João", "Araújo"), ("Chloé", "Lefèvre"), ("Giulia", "Rossi"))
REQUEST_TIMEOUT = 60  # seconds; a stuck request is an error, never a hang


# --- the server and its database ------------------------------------------------------------------

def recreate_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def server_environment(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-load-secret-key-not-for-production",
            "RATELIMIT_ENABLED": "0",
            # As in production: the outbox is sent by `flask send-mail`, not by the web workers.
            "MAIL_SEND_AFTER_REQUEST": "0", "MAIL_SERVER": "", "PORTMEET_ENV": "development"}


def load_meeting(url: str, meeting_capacity: int) -> dict[int, int]:
    """One published meeting, open for registration, with a programme and four visits; an organiser.
    Returns the visits' places by id."""
    from config import DevelopmentConfig
    from portmeet import create_app
    from portmeet.accounts.models import User
    from portmeet.extensions import db
    from portmeet.meetings.models import FieldVisit, Meeting, MeetingStatus, ProgrammeSession, SessionKind, Transport

    # The servers' own settings (development: no base URL or production secret key needed to load data).
    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                                 "RATELIMIT_ENABLED": False}))
    with app.app_context():
        start = date.today() + timedelta(days=45)
        meeting = Meeting(title="Citizen Port Meeting Load Test", edition=12, slug=SLUG, city="Genoa", country="IT",
                          venue="Porto Antico", start_date=start, end_date=start + timedelta(days=1),
                          timezone="Europe/Rome", capacity=meeting_capacity, status=MeetingStatus.published,
                          description="Port and city, together. " * 20, host_organisation="Port of Genoa",
                          registration_opens=datetime.combine(date.today() - timedelta(days=30), time(9)),
                          registration_closes=datetime.combine(start - timedelta(days=1), time(23)))
        organiser = User(email=ORGANISER[0], name="Olga Organiser", is_organiser=True)
        organiser.set_password(ORGANISER[1])
        db.session.add_all([meeting, organiser])
        db.session.flush()
        for day in (start, start + timedelta(days=1)):
            for hour, title, kind in ((9, "Plenary: the port in the city", SessionKind.plenary),
                                      (11, "Workshop: port centres", SessionKind.workshop),
                                      (13, "Lunch", SessionKind.meal), (16, "Debate: citizens and ports", SessionKind.debate)):
                db.session.add(ProgrammeSession(meeting_id=meeting.id, day=day, start_time=time(hour),
                                                end_time=time(hour + 1, 30), title=title, kind=kind, room="Sala Grande"))
        visits = [FieldVisit(meeting_id=meeting.id, title=title, day=day, start_time=time(hour), end_time=time(hour + 2),
                             meeting_point="Ponte Spinola", transport=transport, capacity=places, requires_id=needs_id,
                             id_deadline=start - timedelta(days=5) if needs_id else None)
                  for title, day, hour, transport, places, needs_id in (
                      ("Container terminal by boat", start, 14, Transport.boat, 60, True),
                      ("Port Center", start, 18, Transport.walk, 120, False),
                      ("Galata maritime museum", start + timedelta(days=1), 14, Transport.walk, 200, False),
                      ("Port research laboratory", start + timedelta(days=1), 18, Transport.bus, 40, False))]
        db.session.add_all(visits)
        db.session.commit()
        places = {visit.id: visit.capacity for visit in visits}
        db.engine.dispose()
    return places


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log_path.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/meetings/{SLUG}/", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        clock.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn did not answer within 30 s:\n{log_path.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the clients ----------------------------------------------------------------------------------

@dataclass
class Results:
    seconds: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    accepted: list = field(default_factory=list)  # e-mails whose registration answered 303
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, started: float, problem: str | None = None) -> None:
        elapsed = clock.perf_counter() - started
        with self.lock:
            self.seconds[page].append(elapsed)
            if problem:
                self.errors.append(f"{page}: {problem}")


class Client(threading.Thread):
    def __init__(self, number: int, base: str, deadline: float, results: Results, seed: int):
        super().__init__(daemon=True)
        self.number, self.base, self.deadline, self.results = number, base, deadline, results
        self.rng = random.Random(seed)
        self.organiser = requests.Session()
        self.registrations = 0

    def sign_in(self) -> None:
        page = self.organiser.get(f"{self.base}/login", timeout=REQUEST_TIMEOUT)
        answer = self.organiser.post(f"{self.base}/login", allow_redirects=False, timeout=REQUEST_TIMEOUT, data={
            "email": ORGANISER[0], "password": ORGANISER[1], "csrf_token": CSRF.search(page.text).group(1)})
        if answer.status_code != 303:
            raise SystemExit(f"the organiser could not sign in: {answer.status_code}")

    def run(self) -> None:
        while clock.monotonic() < self.deadline:
            roll = self.rng.random()
            try:
                if roll < 0.80:
                    self.get("meeting page", f"/meetings/{SLUG}/", requests)
                elif roll < 0.95:
                    self.register()
                else:
                    self.get("manage registrations", f"/manage/meetings/{SLUG}/registrations", self.organiser)
            except requests.RequestException as error:
                with self.results.lock:
                    self.results.errors.append(f"{error.__class__.__name__}: {error}")

    def get(self, page: str, path: str, session) -> requests.Response:
        started = clock.perf_counter()
        response = session.get(f"{self.base}{path}", timeout=REQUEST_TIMEOUT, allow_redirects=False)
        self.results.record(page, started, None if response.status_code == 200 else f"status {response.status_code}")
        return response

    def register(self) -> None:
        """A new delegate in a new browser: the form, then the POST with its CSRF token and visit picks."""
        delegate = requests.Session()
        form = self.get("registration form", f"/meetings/{SLUG}/register", delegate)
        if form.status_code != 200:
            return
        self.registrations += 1
        email = f"client{self.number}.delegate{self.registrations}@bench.example"
        first, last = self.rng.choice(NAMES)
        visit_ids = VISIT_CHECKBOX.findall(form.text)
        picks = self.rng.sample(visit_ids, self.rng.choice((1, 1, 2)))  # the four visits never overlap
        data = {"csrf_token": CSRF.search(form.text).group(1), "first_name": first, "last_name": f"{last} {self.number}",
                "email": email, "organisation": f"Port Authority {self.rng.randrange(40)}",
                "country": self.rng.choice(COUNTRIES), "category": "delegate", "consent_list": "y",
                "dietary": self.rng.choice(("", "", "Vegetarian", "Halal")), "visits": picks}
        # The first visit needs ID data for port security; send it whenever it is picked.
        data.update(nationality=data["country"], id_number=f"X{self.rng.randrange(10**7):07d}", date_of_birth="1980-05-17")
        started = clock.perf_counter()
        response = delegate.post(f"{self.base}/meetings/{SLUG}/register", data=data, allow_redirects=False,
                                 timeout=REQUEST_TIMEOUT)
        accepted = response.status_code == 303 and "/registrations/" in response.headers.get("Location", "")
        self.results.record("registration POST", started, None if accepted else f"status {response.status_code}")
        if accepted:
            with self.results.lock:
                self.results.accepted.append(email)


# --- one run ----------------------------------------------------------------------------------------

def check_database(url: str, places: dict[int, int], accepted: list[str]) -> list[str]:
    """What must hold after the storm: no overbooked visit, no pick waiting beside a free place,
    every accepted registration saved (and nothing saved that was not accepted)."""
    problems = []
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT visit_id, status, count(*) FROM visit_bookings GROUP BY visit_id, status")).all()
        emails = set(connection.execute(text("SELECT email_normalized FROM registrations")).scalars())
        confirmed, capacity = connection.execute(text(
            "SELECT (SELECT count(*) FROM registrations WHERE status = 'confirmed'), capacity FROM meetings")).one()
    engine.dispose()
    counts = defaultdict(dict)
    for visit_id, status, number in rows:
        counts[visit_id][str(status)] = number
    for visit_id, capacity_of_visit in places.items():
        booked, waiting = counts[visit_id].get("booked", 0), counts[visit_id].get("waitlisted", 0)
        print(f"  visit {visit_id}: {booked}/{capacity_of_visit} booked, {waiting} on its waitlist")
        if booked > capacity_of_visit:
            problems.append(f"visit {visit_id} overbooked: {booked} > {capacity_of_visit}")
        if waiting and booked < capacity_of_visit:
            problems.append(f"visit {visit_id}: {waiting} waiting while {capacity_of_visit - booked} places are free")
    print(f"  meeting: {confirmed}/{capacity} confirmed, {len(emails)} registrations saved, {len(accepted)} accepted")
    if confirmed > capacity:
        problems.append(f"meeting overbooked: {confirmed} > {capacity}")
    missing = set(accepted) - emails
    if missing:
        problems.append(f"{len(missing)} accepted registrations are not in the database, e.g. {sorted(missing)[:3]}")
    if len(emails) != len(accepted):
        problems.append(f"{len(emails)} registrations saved but {len(accepted)} accepted")
    return problems


def report_errors_and_database(url: str, places: dict[int, int], results: Results) -> int:
    """Print the first errors and what the database check found; returns the number of problems."""
    for error in results.errors[:10]:
        print(f"  error: {error}")
    problems = check_database(url, places, results.accepted)
    for problem in problems:
        print(f"  FAILED: {problem}")
    if not problems:
        print("  database: no visit overbooked, no pick waiting beside a free place, every accepted registration saved")
    return len(problems)


def parse_server_arguments(parser: argparse.ArgumentParser, database_url: str) -> argparse.Namespace:
    """The options every gunicorn-on-PostgreSQL benchmark shares; parses the command line."""
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default=database_url)
    parser.add_argument("--log-dir", default="/tmp")
    parser.add_argument("--keep", action="store_true", help="keep the database after the last run")
    args = parser.parse_args()
    if not make_url(args.database_url).get_backend_name().startswith("postgresql"):
        raise SystemExit(f"{parser.prog} needs a PostgreSQL database URL")
    return args


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_times() -> list[int]:
    """The machine's CPU time so far, in ticks, per kind (user, nice, system, idle, iowait, irq, softirq, steal),
    from /proc/stat; [] where there is none."""
    try:
        return [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return []


def steal_share(before: list[int], after: list[int]) -> str:
    """What share of the machine's time between two `cpu_times` its hypervisor gave to other machines ("steal"):
    on a shared VM, figures taken while it is high are slower than the code, so a benchmark says it."""
    if len(before) < 8 or len(after) < 8 or sum(after) == sum(before):
        return "steal unknown"
    return f"{100 * (after[7] - before[7]) / (sum(after) - sum(before)):.0f} % of the CPU stolen by the hypervisor"


def one_run(args, number: int) -> dict:
    recreate_database(args.database_url)
    env = server_environment(args.database_url)
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    places = load_meeting(args.database_url, args.meeting_capacity)
    port = free_port()
    log_path = Path(args.log_dir) / f"bench_load_gunicorn_{number}.log"
    server = start_gunicorn(env, port, args.workers, log_path)
    results = Results()
    try:
        base = f"http://127.0.0.1:{port}"
        clients = [Client(n, base, 0, results, seed=1000 * number + n) for n in range(args.clients)]
        for client in clients:
            client.sign_in()  # before the clock starts: sign-in is not what is measured
        started = clock.monotonic()
        for client in clients:
            client.deadline = started + args.seconds
            client.start()
        for client in clients:
            client.join(timeout=max(0.0, started + args.seconds + REQUEST_TIMEOUT + 5 - clock.monotonic()))
        elapsed = clock.monotonic() - started
    finally:
        stop(server)
    if any(client.is_alive() for client in clients):
        results.errors.append("a client was still waiting after the time limit")

    total = sum(len(values) for values in results.seconds.values())
    print(f"\nrun {number}: {args.clients} clients, {elapsed:.1f} s, {args.workers} gunicorn workers")
    print(f"  {total} requests, {total / elapsed:.1f} requests per second, {len(results.errors)} errors")
    figures = {"rps": total / elapsed, "errors": len(results.errors)}
    print(f"  {'page':<22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for page in PAGES:
        values = results.seconds.get(page, [])
        if not values:
            continue
        p50, p95, p99 = (percentile(values, share) * 1000 for share in (0.50, 0.95, 0.99))
        figures[page] = (len(values), p50, p95, p99)
        print(f"  {page:<22} {len(values):>6} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {max(values) * 1000:>8.0f}")
    figures["problems"] = report_errors_and_database(args.database_url, places, results)
    if not args.keep:
        drop_database(args.database_url)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--meeting-capacity", type=int, default=1500,
                        help="beyond it, delegates join the meeting's waitlist")
    args = parse_server_arguments(parser, DATABASE_URL)

    runs = [one_run(args, number) for number in range(1, args.runs + 1)]
    if len(runs) > 1:
        print(f"\nmedians of {len(runs)} runs: {statistics.median(r['rps'] for r in runs):.1f} requests per second, "
              f"errors {[r['errors'] for r in runs]}")
        for page in PAGES:
            rows = [r[page] for r in runs if page in r]
            if rows:
                print(f"  {page:<22} p50 {statistics.median(r[1] for r in rows):6.0f} ms  "
                      f"p95 {statistics.median(r[2] for r in rows):6.0f} ms  p99 {statistics.median(r[3] for r in rows):6.0f} ms")
    failed = sum(r["errors"] + r["problems"] for r in runs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
