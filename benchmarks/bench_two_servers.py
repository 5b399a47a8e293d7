"""Two app servers behind one load balancer, one PostgreSQL and one Redis: what must still hold.

    .venv/bin/python benchmarks/bench_two_servers.py [--seconds 30] [--clients 20] [--workers N]

Starts, on loopback ports and all by itself: a Redis server (the rate-limit counts), two gunicorn servers
(`--workers` sync workers each, default one per core) on one fresh PostgreSQL database (BENCH_TWO_DATABASE_URL, default a local
portmeet_bench_two_servers) and one upload folder, and HAProxy from Debian in front of them (round robin,
X-Forwarded-For, `scripts/install-system-packages.sh` installs it). Then checks, and prints each check:

1. both servers answer through the balancer;
2. the load of benchmarks/bench_load.py through the balancer: requests per second and latencies, no error,
   no lost registration, no overbooked visit or meeting, no pick waiting beside a free place;
3. sessions are shared: signed in on one server, signed in on the other;
4. rate limits are shared: failed sign-ins to one account, alternately on each server, are refused from
   the limit's count on (RATELIMIT_LOGIN_PER_ACCOUNT, 5 per minute);
5. every queued e-mail is sent exactly once while two `flask send-mail` loops run side by side (to a
   loopback SMTP server);
6. when the app stores uploads (PORTMEET_UPLOAD_DIR), a file written by one server is served by the other;
7. cached documents are shared: a programme rendered by one server is read back by the other;
8. the registration form kept rendered by every worker follows a change committed by another process.

Exits 1 when a check fails. Everything stops by itself; the database is dropped unless --keep.
"""
import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import threading
import time as clock
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The meeting is loaded in this process with the servers' settings (bench_load.server_environment).
os.environ.setdefault("PORTMEET_ENV", "development")
os.environ.setdefault("SECRET_KEY", "bench-load-secret-key-not-for-production")

from bench_load import (  # noqa: E402
    CSRF,
    ORGANISER,
    PAGES,
    REQUEST_TIMEOUT,
    ROOT,
    SLUG,
    Client,
    Results,
    drop_database,
    free_port,
    load_meeting,
    parse_server_arguments,
    percentile,
    recreate_database,
    report_errors_and_database,
    server_environment,
    start_gunicorn,
    stop,
)

DATABASE_URL = os.environ.get("BENCH_TWO_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/portmeet_bench_two_servers")
HAPROXY = "/usr/sbin/haproxy"
HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 90s
    timeout server 90s
    option forwardfor
frontend portmeet
    bind 127.0.0.1:{port}
    default_backend app_servers
backend app_servers
    balance roundrobin
    # Which server answered, for the check that both do (a real deployment leaves this out).
    http-response set-header X-Portmeet-Server %s
    server first 127.0.0.1:{first} check inter 2s
    server second 127.0.0.1:{second} check inter 2s
"""


class Checks:
    def __init__(self):
        self.failed = []

    def report(self, name: str, ok: bool, detail: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {name}: {detail}", flush=True)
        if not ok:
            self.failed.append(name)


def start_process(command: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    log = open(log_path, "w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    import redis

    port = free_port()
    process = start_process(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], folder / "redis.log")
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            clock.sleep(0.05)
    stop(process)
    raise SystemExit(f"redis-server did not start:\n{(folder / 'redis.log').read_text()}")


def start_haproxy(folder: Path, first: int, second: int) -> tuple[subprocess.Popen, int]:
    if not Path(HAPROXY).exists():
        raise SystemExit("haproxy is missing: run scripts/install-system-packages.sh")
    port = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, first=first, second=second))
    process = start_process([HAPROXY, "-db", "-f", str(config)], folder / "haproxy.log")
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/meetings/{SLUG}/", timeout=2).status_code == 200:
                return process, port
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        clock.sleep(0.1)
    stop(process)
    raise SystemExit(f"haproxy did not start:\n{(folder / 'haproxy.log').read_text()}")


def sign_in(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    page = session.get(f"{base}/login", timeout=REQUEST_TIMEOUT)
    return session.post(f"{base}/login", allow_redirects=False, timeout=REQUEST_TIMEOUT,
                        data={"email": email, "password": password, "csrf_token": CSRF.search(page.text).group(1)})


def check_both_answer(checks: Checks, balancer: str) -> None:
    served = Counter(requests.get(f"{balancer}/meetings/{SLUG}/", timeout=REQUEST_TIMEOUT).headers.get(
        "X-Portmeet-Server") for _ in range(20))
    checks.report("both servers answer through the balancer", set(served) == {"first", "second"},
                  f"20 page views: {dict(served)}")


def run_load(args, balancer: str, results: Results) -> float:
    clients = [Client(n, balancer, 0, results, seed=7000 + n) for n in range(args.clients)]
    for client in clients:
        client.sign_in()
    started = clock.monotonic()
    for client in clients:
        client.deadline = started + args.seconds
        client.start()
    for client in clients:
        client.join(timeout=max(0.0, started + args.seconds + REQUEST_TIMEOUT + 5 - clock.monotonic()))
    if any(client.is_alive() for client in clients):
        results.errors.append("a client was still waiting after the time limit")
    return clock.monotonic() - started


def report_load(checks: Checks, args, url: str, places: dict, results: Results, elapsed: float) -> None:
    total = sum(len(values) for values in results.seconds.values())
    print(f"  load: {args.clients} clients for {elapsed:.1f} s through the balancer: {total} requests, "
          f"{total / elapsed:.1f} per second, {len(results.errors)} errors, "
          f"{len(results.accepted) / elapsed:.1f} registrations per second")
    for page in PAGES:
        values = results.seconds.get(page, [])
        if values:
            print(f"    {page:<22} {len(values):>6}  p50 {percentile(values, 0.5) * 1000:6.0f} ms  "
                  f"p95 {percentile(values, 0.95) * 1000:6.0f} ms")
    problems = report_errors_and_database(url, places, results)
    checks.report("load through the balancer", not results.errors and not problems,
                  f"{len(results.errors)} errors, {problems} database problems (lost registrations, overbooking)")


def check_sessions(checks: Checks, first: str, second: str) -> None:
    session = requests.Session()
    signed_in = sign_in(session, first, *ORGANISER).status_code == 303
    page = session.get(f"{second}/manage/meetings/{SLUG}/registrations", allow_redirects=False, timeout=REQUEST_TIMEOUT)
    checks.report("sessions shared", signed_in and page.status_code == 200,
                  f"signed in on the first server; the second answers the manage page with {page.status_code}")


def check_rate_limits(checks: Checks, first: str, second: str) -> None:
    statuses = []
    for attempt in range(8):  # wrong password for one account, alternately on each server
        session = requests.Session()
        statuses.append(sign_in(session, (first, second)[attempt % 2], ORGANISER[0], "wrong-password").status_code)
    refused = [n for n, status in enumerate(statuses, start=1) if status == 429]
    checks.report("rate limits shared (Redis)", bool(refused) and refused[0] == 6 and refused == list(range(6, 9)),
                  f"8 failed sign-ins alternating servers answered {statuses} (limit 5 per minute)")


class Inbox:
    """A loopback SMTP server keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages, self.lock = [], threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def check_mail_sent_once(checks: Checks, env: dict, url: str, folder: Path) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        queued = connection.execute(text("SELECT id FROM outbox_messages WHERE sent_at IS NULL")).scalars().all()
    inbox = Inbox()
    mail_env = {**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(inbox.port), "MAIL_USE_TLS": "0"}
    # Two senders side by side, as two cron jobs on two machines: each runs `flask send-mail` in small
    # batches until the queue is empty.
    loop = ('for i in $(seq 1 400); do out=$(.venv/bin/flask --app wsgi send-mail --limit 20) || exit 1; '
            'echo "$out"; case "$out" in *"; 0 still queued."*) exit 0;; esac; done; exit 1')
    senders = [start_process(["bash", "-c", loop], folder / f"send-mail-{n}.log", mail_env) for n in (1, 2)]
    codes = [sender.wait(timeout=1800) for sender in senders]
    inbox.controller.stop()
    with engine.connect() as connection:
        unsent = connection.scalar(text("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"))
        # Read after sending: a confirmation is queued without its subject, which the sender writes.
        expected = Counter(tuple(row) for row in connection.execute(
            text("SELECT recipient, subject FROM outbox_messages WHERE id = ANY(:ids)"), {"ids": list(queued)}))
    engine.dispose()
    received = Counter((str(m["To"]), str(m["Subject"])) for m in inbox.messages)
    sent_by = [sum(int(x) for x in re.findall(r"(\d+) sent", (folder / f"send-mail-{n}.log").read_text()))
               for n in (1, 2)]
    checks.report("each e-mail sent once by two send-mail loops", codes == [0, 0] and unsent == 0 and received == expected
                  and all(subject for _to, subject in received),
                  f"{len(queued)} queued, {len(inbox.messages)} received ({sum(received.values()) - len(received)} "
                  f"duplicates, {len(expected - received)} missing), sent by each loop {sent_by}, {unsent} unsent")


def check_uploads(checks: Checks, url: str, first: str, second: str) -> None:
    """Slides uploaded through the first server download, byte for byte, from the second (one upload folder
    shared by both, as a network volume would be)."""
    from pypdf import PdfWriter

    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT s.id, s.title, s.day, s.start_time, s.end_time FROM sessions s JOIN meetings m ON m.id = s.meeting_id "
            "WHERE m.slug = :slug AND s.kind = 'plenary' ORDER BY s.id LIMIT 1"), {"slug": SLUG}).one()
    engine.dispose()
    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    pdf = buffer.getvalue()
    session = requests.Session()
    sign_in(session, first, *ORGANISER)
    edit = f"{first}/manage/meetings/{SLUG}/sessions/{row.id}/edit"
    token = CSRF.search(session.get(edit, timeout=REQUEST_TIMEOUT).text).group(1)
    form = {"csrf_token": token, "title": row.title, "day": str(row.day), "start_time": str(row.start_time)[:5],
            "end_time": str(row.end_time)[:5], "kind": "plenary", "room": "", "description": "", "speakers": "",
            "slides_public": "y"}
    saved = session.post(edit, data=form, files={"slides": ("slides.pdf", pdf, "application/pdf")},
                         allow_redirects=False, timeout=REQUEST_TIMEOUT)
    served = requests.get(f"{second}/meetings/{SLUG}/sessions/{row.id}/slides.pdf", timeout=REQUEST_TIMEOUT)
    checks.report("uploads shared", saved.status_code == 303 and served.status_code == 200 and served.content == pdf,
                  f"slides saved through the first server ({saved.status_code}); the second serves them "
                  f"({served.status_code}, {'the same' if served.content == pdf else 'other'} {len(served.content)} bytes)")


def check_cached_documents(checks: Checks, first: str, second: str) -> None:
    """A programme rendered by the first server is read back from the shared cache by the second."""
    rendered = requests.get(f"{first}/meetings/{SLUG}/programme.pdf", timeout=REQUEST_TIMEOUT)
    times, copies = [], []
    for _ in range(5):
        started = clock.monotonic()
        copies.append(requests.get(f"{second}/meetings/{SLUG}/programme.pdf", timeout=REQUEST_TIMEOUT))
        times.append(clock.monotonic() - started)
    median = sorted(times)[len(times) // 2]
    same = all(copy.status_code == 200 and copy.content == rendered.content for copy in copies)
    checks.report("cached documents shared", rendered.status_code == 200 and same and median < 0.05,
                  f"programme rendered by the first server; the second answers the same bytes in "
                  f"{median * 1000:.0f} ms (median of 5; under 50 ms means read from the cache)")


def rename_a_visit(url: str, title: str) -> str:
    """As a host's edit would, through the app's models (in a third process on the same database); returns the
    visit's title before."""
    from sqlalchemy import select

    from config import DevelopmentConfig
    from portmeet import create_app
    from portmeet.extensions import db
    from portmeet.meetings.models import FieldVisit, Meeting

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        visit = db.session.scalars(
            select(FieldVisit).join(Meeting).where(Meeting.slug == SLUG).order_by(FieldVisit.id)).first()
        before, visit.title = visit.title, title
        db.session.commit()
        db.engine.dispose()
    return before


def check_kept_pages_follow_changes(checks: Checks, url: str, first: str, second: str) -> None:
    """The registration form a stranger opens is kept rendered by every worker (registration/form_page.py): a
    change committed by another process shows on both servers' next pages."""
    form = f"/meetings/{SLUG}/register"

    def pages() -> list[str]:
        return [requests.get(base + form, timeout=REQUEST_TIMEOUT).text for base in (first, second) for _ in range(4)]

    title = f"Lighthouse of the breakwater {os.getpid()}"
    kept = pages()
    old = rename_a_visit(url, title)
    after = pages()
    shown = sum(title in page and old not in page for page in after)
    checks.report("kept form pages follow changes", all(old in page for page in kept) and shown == len(after),
                  f"a visit renamed by a third process: the new name on {shown} of {len(after)} form pages of the two "
                  f"servers at the next requests (the old name was on all {len(kept)} before)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--meeting-capacity", type=int, default=1500)
    args = parse_server_arguments(parser, DATABASE_URL)
    checks = Checks()
    servers = []
    with tempfile.TemporaryDirectory(prefix="bench-two-servers-") as scratch:
        folder = Path(scratch)
        recreate_database(args.database_url)
        try:
            redis_process, redis_url = start_redis(folder)
            servers.append(redis_process)
            upload_dir = folder / "uploads"
            upload_dir.mkdir()
            env = {**server_environment(args.database_url), "RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": redis_url,
                   # Every client comes from 127.0.0.1: only the per-account limit is measured here.
                   "RATELIMIT_LOGIN_PER_ADDRESS": "100000 per minute", "RATELIMIT_REGISTER_PER_ADDRESS": "100000 per minute",
                   "RATELIMIT_LOGIN_PER_ACCOUNT": "5 per minute", "PROXY_FIX_X_FOR": "1",
                   "PORTMEET_UPLOAD_DIR": str(upload_dir)}
            subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                           env=env, check=True, capture_output=True)
            places = load_meeting(args.database_url, args.meeting_capacity)
            ports = [free_port(), free_port()]
            for number, port in enumerate(ports, start=1):
                servers.append(start_gunicorn(env, port, args.workers, Path(args.log_dir) / f"bench_two_servers_{number}.log"))
            balancer_process, balancer_port = start_haproxy(folder, *ports)
            servers.append(balancer_process)
            balancer, first, second = (f"http://127.0.0.1:{port}" for port in (balancer_port, *ports))
            print(f"two gunicorn servers ({args.workers} workers each) on :{ports[0]} and :{ports[1]} behind HAProxy "
                  f"on :{balancer_port}; one PostgreSQL database, one Redis; load average "
                  f"{Path('/proc/loadavg').read_text().split()[0]} at the start", flush=True)
            check_both_answer(checks, balancer)
            results = Results()
            elapsed = run_load(args, balancer, results)
            report_load(checks, args, args.database_url, places, results, elapsed)
            check_sessions(checks, first, second)
            # Before the rate limits' check, which locks the organiser's sign-in for a minute.
            check_uploads(checks, args.database_url, first, second)
            check_cached_documents(checks, first, second)
            check_kept_pages_follow_changes(checks, args.database_url, first, second)
            check_rate_limits(checks, first, second)
            check_mail_sent_once(checks, env, args.database_url, folder)
        finally:
            for process in reversed(servers):
                stop(process)
            if not args.keep:
                drop_database(args.database_url)
    print("all checks passed" if not checks.failed else f"FAILED: {', '.join(checks.failed)}")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
