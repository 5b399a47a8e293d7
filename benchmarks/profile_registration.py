"""CPU and wall time of one registration (the form page, then its POST), in-process, on PostgreSQL.

    .venv/bin/python benchmarks/profile_registration.py [--delegates 200] [--floor ../shared/perf/floor_wsgi.py]
                                                        [--profile DIR] [--statements [--statement-width N]]

Runs the app (or, with --floor, the floor of its stack) in this process against a fresh database loaded as
by bench_registration.py, and registers `--delegates` delegates one after the other through the Flask test
client: no server, no other clients, so the figures are the app's own per request (CPU from
time.process_time, which a machine loaded by others hardly changes; wall time includes the database's), and the
CPU the database server's processes spent on them (from /proc: the app's pooled connections).
--profile writes cProfile files (of CPU time: waits on the database left out) of the form page and of the POST into
DIR (read them with pstats or snakeviz);
--statements prints the SQL statements of one registration. Complements bench_registration.py (throughput
under 20 clients, gunicorn), where py-spy can profile a worker: `py-spy record -p <worker pid> -f raw`.
"""
import argparse
import cProfile
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench_load import CSRF, DATABASE_URL, ROOT, SLUG, VISIT_CHECKBOX, cpu_times, drop_database, load_meeting, \
    recreate_database, server_environment, steal_share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=200)
    parser.add_argument("--floor", help="path of floor_wsgi.py: measure the floor instead of the project")
    parser.add_argument("--profile", help="directory for the cProfile files (GET.prof, POST.prof)")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--statement-width", type=int, default=160, help="characters of each statement printed")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_PROFILE_DATABASE_URL", DATABASE_URL.replace("bench_load", "profile_registration")))
    args = parser.parse_args()

    recreate_database(args.database_url)
    env = server_environment(args.database_url)
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    load_meeting(args.database_url, meeting_capacity=args.delegates + 500)
    os.environ.update(env)
    if args.floor:
        sys.path.insert(0, str(Path(args.floor).resolve().parent))
        from floor_wsgi import app
    else:
        from config import DevelopmentConfig
        from portmeet import create_app

        app = create_app(type("ProfileConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": args.database_url,
                                                                       "RATELIMIT_ENABLED": False,
                                                                       "MAIL_SEND_AFTER_REQUEST": False}))
    app.config["RATELIMIT_ENABLED"] = False
    rng = random.Random(1)
    profiles = {"GET": cProfile.Profile(time.process_time), "POST": cProfile.Profile(time.process_time)} if args.profile else {}
    totals = {"GET": [0.0, 0.0], "POST": [0.0, 0.0]}

    def timed(kind, call):
        profile = profiles.get(kind)
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        response = call()
        if profile:
            profile.disable()
        totals[kind][0] += time.process_time() - cpu
        totals[kind][1] += time.perf_counter() - wall
        return response

    def register(number: int, measure: bool) -> None:
        client = app.test_client()
        url = f"/meetings/{SLUG}/register"
        form = timed("GET", lambda: client.get(url)) if measure else client.get(url)
        assert form.status_code == 200, form.status_code
        page = form.get_data(as_text=True)
        data = {"csrf_token": CSRF.search(page).group(1), "first_name": "Anna", "last_name": f"Schmidt {number}",
                "email": f"delegate{number}@bench.example", "organisation": "Port Authority", "country": "FR",
                "category": "delegate", "consent_list": "y", "dietary": "",
                "visits": rng.sample(VISIT_CHECKBOX.findall(page), rng.choice((1, 1, 2))),
                "nationality": "FR", "id_number": "X1234567", "date_of_birth": "1980-05-17"}
        response = timed("POST", lambda: client.post(url, data=data)) if measure else client.post(url, data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    for number in range(20):  # warm up: templates compiled, caches filled, statements prepared
        register(10**6 + number, measure=False)
    if args.statements:
        from sqlalchemy import event

        from portmeet.extensions import db

        with app.app_context():
            engine = db.engine
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *call: statements.append(call[2]))
        register(10**7, measure=False)
        print(f"{len(statements)} statements for the form and one registration:")
        for statement in statements:
            print("  " + " ".join(statement.split())[:args.statement_width])
    held = lock_holds(app)
    backends = database_backends(args.database_url)
    database_cpu, machine_before = -backends_cpu(backends), cpu_times()
    for number in range(args.delegates):
        register(number, measure=True)
    database_cpu += backends_cpu(backends)
    steal = steal_share(machine_before, cpu_times())
    for kind, (cpu, wall) in totals.items():
        print(f"{kind:4} {1000 * cpu / args.delegates:6.1f} ms CPU, {1000 * wall / args.delegates:6.1f} ms wall")
    print(f"PostgreSQL {1000 * database_cpu / args.delegates:6.1f} ms CPU per registration (form and POST, the app's "
          f"{len(backends)} server processes)")
    print(f"Meeting row lock held {1000 * sum(held) / max(len(held), 1):.1f} ms per registration (wall, from the "
          f"lock's statement to the connection's return to the pool: the time the other workers' registrations wait)")
    print(f"Machine: {steal}")
    for kind, profile in profiles.items():
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profile.dump_stats(Path(args.profile) / f"{kind}.prof")
    drop_database(args.database_url)


def lock_holds(app) -> list[float]:
    """Seconds each registration held the meeting's row lock, filled in as they run: from the end of the statement
    taking it (SELECT … FROM meetings … FOR UPDATE) to the return of its connection to the pool (after the commit).
    The same measure for the project and the floor: under load, the registrations of other workers queue for it."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    held, taken = [], {}

    def after_execute(connection, cursor, statement, parameters, context, executemany):
        if "FOR UPDATE" in statement and "FROM meetings" in statement:
            taken.setdefault(id(connection.connection.dbapi_connection), time.perf_counter())

    def checkin(dbapi_connection, record):
        started = taken.pop(id(dbapi_connection), None)
        if started is not None:
            held.append(time.perf_counter() - started)

    if hasattr(app, "extensions") and "sqlalchemy" in app.extensions:
        from portmeet.extensions import db

        with app.app_context():
            engine = db.engine
    else:  # the floor: its module's engine
        engine = sys.modules["floor_wsgi"].engine
    event.listen(engine, "after_cursor_execute", after_execute)
    event.listen(Pool, "checkin", checkin)
    return held


def database_backends(url: str) -> list[int]:
    """The server processes of the app's pooled connections (opened by the warm-up)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        pids = list(connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'")).scalars())
    engine.dispose()
    return pids


def backends_cpu(pids: list[int]) -> float:
    """CPU seconds (user and system) the processes have used so far, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a connection the pool closed meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
