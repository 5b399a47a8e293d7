"""Registration throughput: 1,000 delegates register with visit picks from 20 concurrent clients.

    .venv/bin/python benchmarks/bench_registration.py [--delegates 1000] [--clients 20] [--runs 3]

Uses the server and database set-up of bench_load.py: a fresh PostgreSQL database, `flask db upgrade`,
one published meeting with four field visits (60, 120, 200 and 40 places, so most visits fill and
their waitlists grow), gunicorn with as many sync workers as cores, rate limits off. Each client is a
new delegate's browser each time: it fetches the form (for its CSRF token and the visit checkboxes),
then posts it with one or two picks; the POST must answer 303. Prints registrations per second
(form + POST, wall clock), p50 and p95 of the POST, errors, and checks on the database that no visit
is overbooked and every accepted registration is saved. Target: 150 registrations/s, p95 under 150 ms.
Then times `flask send-mail` writing and "sending" (no mail server) the confirmations the run queued: their
texts are written by the sender, from the decision queued with each, not by the registration's request.
"""
import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time as clock
from pathlib import Path

from bench_load import (
    DATABASE_URL,
    REQUEST_TIMEOUT,
    ROOT,
    Client,
    Results,
    cpu_times,
    drop_database,
    free_port,
    load_meeting,
    parse_server_arguments,
    percentile,
    recreate_database,
    report_errors_and_database,
    server_environment,
    start_gunicorn,
    steal_share,
    stop,
)


class Registrant(Client):
    """A bench_load client that only registers, until the shared count of delegates is reached."""

    def __init__(self, number: int, base: str, results: Results, tickets: itertools.count, delegates: int):
        super().__init__(number, base, deadline=0, results=results, seed=number)
        self.tickets, self.delegates = tickets, delegates

    def run(self) -> None:
        while next(self.tickets) < self.delegates:
            try:
                self.register()
            except Exception as error:  # noqa: BLE001 - a failed request is counted, never a hang
                with self.results.lock:
                    self.results.errors.append(f"{error.__class__.__name__}: {error}")


def one_run(args, number: int) -> dict:
    recreate_database(args.database_url)
    env = server_environment(args.database_url)
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    places = load_meeting(args.database_url, meeting_capacity=args.delegates + 500)
    port = free_port()
    server = start_gunicorn(env, port, args.workers, Path(args.log_dir) / f"bench_registration_{number}.log")
    results, tickets = Results(), itertools.count()
    try:
        clients = [Registrant(n, f"http://127.0.0.1:{port}", results, tickets, args.delegates)
                   for n in range(args.clients)]
        started, cpu_before = clock.monotonic(), cpu_times()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=max(0.0, started + args.delegates * REQUEST_TIMEOUT - clock.monotonic()))
        elapsed, steal = clock.monotonic() - started, steal_share(cpu_before, cpu_times())
    finally:
        stop(server)

    posts = results.seconds["registration POST"]
    rate = len(results.accepted) / elapsed
    p50, p95 = (percentile(posts, share) * 1000 for share in (0.50, 0.95))
    print(f"\nrun {number}: {len(results.accepted)} registrations accepted in {elapsed:.1f} s by {args.clients} "
          f"clients ({args.workers} gunicorn workers)")
    print(f"  {rate:.0f} registrations per second; POST p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
          f"{len(results.errors)} errors; {steal}")
    problems = report_errors_and_database(args.database_url, places, results)
    # The confirmations' texts are written by the sender, not by the registrations' requests: what that costs.
    started = clock.monotonic()
    sender = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "send-mail", "--limit", "1000000"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    took = clock.monotonic() - started
    print(f"  send-mail (no mail server: written and logged): {sender.stdout.strip()} in {took:.1f} s, "
          f"{1000 * took / max(len(results.accepted), 1):.1f} ms per registration")
    problems += sender.returncode != 0 or "0 still queued" not in sender.stdout
    if not args.keep:
        drop_database(args.database_url)
    return {"rate": rate, "p50": p50, "p95": p95, "errors": len(results.errors) + problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parse_server_arguments(parser, os.environ.get(
        "BENCH_REGISTRATION_DATABASE_URL", DATABASE_URL.replace("bench_load", "bench_registration")))

    runs = [one_run(args, number) for number in range(1, args.runs + 1)]
    print(f"\nmedians of {len(runs)} runs: {statistics.median(r['rate'] for r in runs):.0f} registrations per second, "
          f"POST p50 {statistics.median(r['p50'] for r in runs):.0f} ms, p95 {statistics.median(r['p95'] for r in runs):.0f} ms, "
          f"errors {[r['errors'] for r in runs]}")
    sys.exit(1 if any(r["errors"] for r in runs) else 0)


if __name__ == "__main__":
    main()
