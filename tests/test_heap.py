"""A served app (wsgi.py) freezes its long-lived objects out of the garbage collector's full scans once it has
answered a request (portmeet/heap.py); an app made and dropped again, as each test makes one, never does."""
import gc
import os

from tests import fresh_python

SERVE_REQUESTS = """
import gc
import wsgi
client = wsgi.app.test_client()
counts = [gc.get_freeze_count()]
for _ in range(10):
    client.get("/login").close()
    counts.append(gc.get_freeze_count())
print(" ".join(map(str, counts)))
"""


def test_a_served_worker_freezes_what_it_holds_once_warm(tmp_path):
    env = {**os.environ, "PORTMEET_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"}
    result = fresh_python.run(SERVE_REQUESTS, env)
    assert result.returncode == 0, result.stderr
    counts = [int(count) for count in result.stdout.split()]
    assert counts[0] == 0  # nothing frozen before it serves (the app may still be changed then)
    assert counts[1] > 50_000  # the app, its mappers, templates and catalogues, after the first response
    assert max(counts[2:10]) <= counts[1]  # not at every request (frozen objects freed since only lower it)
    assert counts[10] > counts[9]  # again after the tenth, with what the requests between built once


def test_an_app_made_for_a_test_freezes_nothing(client):
    assert client.get("/static/css/site.css").status_code == 200
    assert gc.get_freeze_count() == 0
