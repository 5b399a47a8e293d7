"""Serve portmeet on a loopback port for the browser tests: a file SQLite database, real HTTP, threads.

Run by tests/e2e/conftest.py as a subprocess: `python tests/e2e/live_server.py DB_PATH`; prints
`PORT <n>` once it listens.
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("PORTMEET_ENV", "development")  # the tests' choice, explicit (unset = production)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from argon2 import PasswordHasher  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from config import TestConfig  # noqa: E402
from portmeet import create_app  # noqa: E402
from portmeet.accounts import passwords  # noqa: E402
from portmeet.accounts.service import create_user  # noqa: E402
from portmeet.demo import load_demo  # noqa: E402
from portmeet.extensions import db  # noqa: E402

ORGANISER = ("organiser@e2e.example", "Olga Organiser", "organiser-pass-42")
HOST = ("host@e2e.example", "Hanna Host", "host-pass-42")


def main(db_path: str) -> None:
    # Passwords hashed at argon2's lowest cost, as in the other tests (tests/conftest.py): the production
    # parameters cost 80 ms of CPU at every sign-in, and no browser test is about them.
    passwords.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    class LiveConfig(TestConfig):
        TESTING = False  # errors are answered with the site's error pages, as in production
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        RATELIMIT_ENABLED = True

    app = create_app(LiveConfig)
    with app.app_context():
        db.create_all()
        create_user(*ORGANISER, organiser=True)
        create_user(*HOST)
        load_demo()  # a realistic published meeting for the page checks; the journey builds its own
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # links point at this server
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
