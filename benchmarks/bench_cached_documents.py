"""Repeated downloads of unchanged documents, over real HTTP, from the shared cache in the database.

    .venv/bin/python benchmarks/bench_cached_documents.py [--registrations 1000] [--repeats 30]

Creates a fresh PostgreSQL database (BENCH_CACHE_DATABASE_URL, default a local
portmeet_bench_cache), loads the documents benchmark's meeting (programme, visits and `registrations`
confirmed delegates in every script), starts gunicorn (sync workers, one per core) on a loopback port
and, signed in as the organiser with a plain HTTP client, downloads each document once (rendered and
stored: the cold time), then `repeats` times more (each answered by whichever worker takes it, from the
cache in the database). Prints the cold time, then the median, 95th percentile and slowest of the repeats,
measured at the client (request sent to last byte read). Target: a repeated download under 50 ms.
"""
import argparse
import os
import re
import statistics
import sys
import tempfile
import time as clock
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_documents import PASSWORD, load  # noqa: E402
from bench_load import drop_database, free_port, percentile, recreate_database, server_environment, stop  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_CACHE_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/portmeet_bench_cache")
DOCUMENTS = {
    "programme PDF (public)": "/meetings/{slug}/programme.pdf",
    "attendee list PDF": "/manage/meetings/{slug}/attendees.pdf",
    "badges a4-8 PDF": "/manage/meetings/{slug}/badges.pdf?layout=a4-8",
}
TARGET_MS = 50
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def start_gunicorn(env: dict, port: int, workers: int, log_path: Path):
    import subprocess

    root = Path(__file__).resolve().parents[1]
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(root / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "300", "--log-level", "warning", "wsgi:app"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = clock.monotonic() + 60
    while clock.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log_path.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        clock.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log_path.read_text()}")


def timed_get(session: requests.Session, url: str) -> tuple[float, bytes]:
    started = clock.perf_counter()
    response = session.get(url, timeout=600)
    body = response.content
    elapsed = clock.perf_counter() - started
    assert response.status_code == 200 and body.startswith(b"%PDF"), (url, response.status_code)
    return elapsed, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    recreate_database(args.database_url)
    slug = load(args.database_url, args.registrations)
    env = server_environment(args.database_url)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_gunicorn(env, port, args.workers, Path(folder) / "gunicorn.log")
        try:
            base = f"http://127.0.0.1:{port}"
            session = requests.Session()
            token = CSRF.search(session.get(f"{base}/login").text).group(1)
            signed_in = session.post(f"{base}/login", data={"email": "organiser@example.org", "password": PASSWORD,
                                                            "csrf_token": token}, allow_redirects=False)
            assert signed_in.status_code == 303, signed_in.status_code
            load_average = Path("/proc/loadavg").read_text().split()[0]
            print(f"gunicorn, {args.workers} sync workers, PostgreSQL; {args.registrations} registrations; "
                  f"real HTTP from one signed-in client; load average {load_average} at the start\n")
            failed = False
            for name, path in DOCUMENTS.items():
                url = base + path.format(slug=slug)
                cold, first = timed_get(session, url)
                repeats = []
                for _ in range(args.repeats):
                    elapsed, body = timed_get(session, url)
                    assert body == first, f"{name}: a repeated download differs from the first"
                    repeats.append(elapsed * 1000)
                median, p95 = statistics.median(repeats), percentile(repeats, 0.95)
                failed |= median >= TARGET_MS
                verdict = "ok" if median < TARGET_MS else f"OVER the {TARGET_MS} ms target"
                print(f"{name:<24} first {cold:6.2f} s; repeated (x{args.repeats}): median {median:5.1f} ms, "
                      f"p95 {p95:5.1f} ms, max {max(repeats):5.1f} ms; {len(first) / 1024:5.0f} KB  {verdict}")
        finally:
            stop(server)
            if not args.keep:
                drop_database(args.database_url)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
