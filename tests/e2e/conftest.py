"""Browser tests: portmeet served on a loopback port, driven by Debian's chromium through Playwright.

The checks of tests/e2e/checks.py load axe-core (from npm, node_modules/axe-core) into the pages they check.
"""
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.e2e.checks import AXE, WIDTHS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
BROWSER_GROUP = "browser-a"  # of a browser test that names none (tests/conftest.py)


def _start_server(folder: Path) -> SimpleNamespace:
    """The app in its own process (a real HTTP server, threads), on a fresh SQLite file in `folder`."""
    output, errors = folder / "server.out", folder / "server.log"
    # Limits stay on (as in production), but every browser shares one address: the journeys register
    # more delegates in a minute than one person would.
    env = {**os.environ, "RATELIMIT_REGISTER_PER_ADDRESS": "200 per minute"}
    database = folder / "portmeet.sqlite"
    with open(output, "w") as out, open(errors, "w") as err:
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("live_server.py")), str(database)],
                                   cwd=ROOT, stdout=out, stderr=err, env=env)
    port = None
    for _ in range(12000):  # up to two minutes: the machine may be busy with other test runs
        text = output.read_text()
        if text.startswith("PORT "):
            port = int(text.split()[1])
            break
        if process.poll() is not None:
            break
        time.sleep(0.01)
    if port is None:
        process.kill()
        pytest.fail(f"the app did not start:\n{errors.read_text()}")
    return SimpleNamespace(url=f"http://127.0.0.1:{port}", log=errors, database=database, process=process)


@pytest.fixture(scope="session")
def _live_servers(tmp_path_factory):
    """The live servers of this process, one per xdist group (started when first asked for)."""
    servers: dict[str, SimpleNamespace] = {}

    def server_of(group: str) -> SimpleNamespace:
        if group not in servers:
            servers[group] = _start_server(tmp_path_factory.mktemp(f"e2e-{group}"))
        return servers[group]

    yield server_of
    for server in servers.values():
        server.process.terminate()
    for server in servers.values():
        server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(request, _live_servers):
    """The server of this module's group (`xdist_group` mark, BROWSER_GROUP when none): each group has its own
    server and database, its own demo meeting, so that `make test` runs the groups side by side on two
    workers; the tests of one group share it, in the order they are collected."""
    marker = request.node.get_closest_marker("xdist_group")
    return _live_servers(marker.args[0] if marker else BROWSER_GROUP)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: run scripts/install-system-packages.sh (make test does)")
    if not AXE.exists():
        pytest.fail("axe-core is missing: run npm install (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser (own cookies) at a given width; CSP reports are collected."""
    contexts = []

    def open_page(width: str = "desktop"):
        context = browser.new_context(viewport=WIDTHS[width], base_url=live_server.url, locale="en-GB",
                                      accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message: "Content Security Policy" in message.text
                and page.csp_violations.append(message.text))
        page.width_name = width
        return page

    yield open_page
    for context in contexts:
        context.close()
