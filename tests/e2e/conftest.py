"""Browser tests: portmeet served on a loopback port, driven by Debian's chromium through Playwright.

Pages get axe-core injected (from npm, node_modules/axe-core) for the checks in tests/e2e/checks.py.
"""
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app in its own process (a real HTTP server, threads), on a fresh SQLite file."""
    folder = tmp_path_factory.mktemp("e2e")
    output, errors = folder / "server.out", folder / "server.log"
    # Limits stay on (as in production), but every browser shares one address: the journeys register
    # more delegates in a minute than one person would.
    env = {**os.environ, "RATELIMIT_REGISTER_PER_ADDRESS": "200 per minute"}
    with open(output, "w") as out, open(errors, "w") as err:
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("live_server.py")),
                                    str(folder / "portmeet.sqlite")], cwd=ROOT, stdout=out, stderr=err, env=env)
    port = None
    for _ in range(2400):  # up to two minutes: the machine may be busy with other test runs
        text = output.read_text()
        if text.startswith("PORT "):
            port = int(text.split()[1])
            break
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if port is None:
        process.kill()
        pytest.fail(f"the app did not start:\n{errors.read_text()}")
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", log=errors)
    process.terminate()
    process.wait(timeout=10)


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
        # Injected before the page's own code, through DevTools: the page's CSP (no inline script) stays on.
        context.add_init_script(path=str(AXE))
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
