"""Run Python code as `python -c CODE` would, in a process of its own with an environment of its own, but forked
from a server that has already imported the libraries the app uses: a new interpreter importing Flask,
SQLAlchemy and WeasyPrint costs about two seconds of CPU, a dozen times a run.

The server never imports config, portmeet or wsgi: each run imports them anew, reading its own environment,
as a new process would. (multiprocessing's forkserver; one per test process, started when first needed.)
"""
import multiprocessing
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Third-party only: nothing here reads the app's settings from the environment when imported.
PRELOAD = ["flask", "flask.cli", "flask_sqlalchemy", "flask_migrate", "flask_wtf", "flask_babel", "flask_login",
           "flask_limiter", "sqlalchemy", "alembic", "weasyprint", "pypdf", "PIL.Image", "argon2", "babel",
           "wtforms", "markupsafe", "jinja2", "click", "werkzeug", "email_validator", "segno", "pycountry", "icalendar",
           "psycopg", "tests.fresh_python"]
_APP_MODULES = ("config", "wsgi", "portmeet")
_context = []


def _forkserver():
    if not _context:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context.append(context)
    return _context[0]


def _run(code: str, env: dict, cwd: str, argv: list, out_path: str, err_path: str) -> None:
    """In the forked child: the environment, working directory, arguments and output files of a new process,
    then the code as __main__; the exit status as `python -c` gives it."""
    for fd, path in ((1, out_path), (2, err_path)):
        with open(path, "wb") as file:
            os.dup2(file.fileno(), fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = argv
    sys.path.insert(0, cwd)
    for name in list(sys.modules):
        if name.split(".")[0] in _APP_MODULES:
            del sys.modules[name]
    status = 0
    try:
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            status = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
            status = 1
    except BaseException:  # noqa: BLE001 - reported as the interpreter would: traceback, status 1
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run(code: str, env: dict, cwd: Path = ROOT, argv: list | None = None) -> subprocess.CompletedProcess:
    """`subprocess.run([python, "-c", code], env=env, cwd=cwd, capture_output=True, text=True)`, forked."""
    with tempfile.TemporaryDirectory() as folder:
        out_path, err_path = os.path.join(folder, "out"), os.path.join(folder, "err")
        process = _forkserver().Process(target=_run, args=(code, dict(env), str(cwd), argv or ["-c"], out_path,
                                                           err_path))
        process.start()
        process.join()
        stdout, stderr = (Path(path).read_text(errors="backslashreplace") if os.path.exists(path) else ""
                          for path in (out_path, err_path))
    return subprocess.CompletedProcess(["python", "-c", code], process.exitcode, stdout, stderr)


def flask(*args: str, env: dict, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m flask --app wsgi ARGS`, forked."""
    return run("from flask.cli import main\nmain()", env, cwd, argv=["flask", "--app", "wsgi", *args])
