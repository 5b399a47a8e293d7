"""What every page must pass in a real browser, and the steps the journeys share.

`check_page` checks: no horizontal scrolling, every input labelled, no serious or critical axe-core violation,
nothing blocked by the Content-Security-Policy; with PORTMEET_SCREENSHOTS=1 (`make screenshots`) it first saves the
page as a JPEG under tests/artifacts/, for a person to look at (not in every run: about 5 s of the suite).
`check_page_at_both_widths` does so at phone and at desktop width, on the same page in the same state: a journey
runs once, its pages are checked at both widths (the layout differs by CSS alone, no script reads the width).
"""
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("PORTMEET_SCREENSHOTS") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

UNLABELLED_INPUTS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !([...el.labels].some(l => l.textContent.trim()) || el.getAttribute('aria-label')
                  || el.getAttribute('aria-labelledby')))
  .map(el => el.name || el.id)"""

SERIOUS_AXE_VIOLATIONS = """async rules => (await axe.run(document, {resultTypes: ['violations'], rules})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
# Colour contrast, half of axe's time, is checked at one of a page's two widths: site.css changes the layout
# with the width (media queries), never a colour or a background.
WITHOUT_COLOUR_CONTRAST = {"color-contrast": {"enabled": False}}

ERRORS_NOT_NEXT_TO_THEIR_FIELD = """() => [...document.querySelectorAll('[aria-invalid="true"]')].filter(input => {
  const ids = (input.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  const errors = ids.map(id => document.getElementById(id)).filter(el => el && el.textContent.trim());
  const field = input.closest('.field');
  return !errors.length || !errors.every(el => field && field.contains(el));
}).map(el => el.name)"""


def check_page(page, name: str, colour_contrast: bool = True) -> None:
    """(A screenshot,) then: no horizontal scrolling, every input labelled, no serious axe violation (colour
    contrast included unless told), CSP kept. Checked once the page has loaded, its stylesheet with it: a step that
    waits for an element of a new page can end while the page is still unstyled (a table wider than a phone)."""
    page.wait_for_load_state("load")
    if SCREENSHOTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # JPEG: for a person to look at, and encoded in half the time of a PNG of the whole page.
        page.screenshot(path=str(ARTIFACTS / f"{name}-{page.width_name}.jpg"), full_page=True, type="jpeg", quality=85)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        f"{name} scrolls sideways at {page.width_name} width"
    assert page.evaluate(UNLABELLED_INPUTS) == [], f"{name}: inputs without a label"
    _load_axe(page)
    rules = {} if colour_contrast else WITHOUT_COLOUR_CONTRAST
    assert page.evaluate(SERIOUS_AXE_VIOLATIONS, rules) == [], f"{name}: accessibility violations"
    assert page.csp_violations == [], f"{name}: blocked by the Content-Security-Policy"


@lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"  # a value that is not a function, to call or return


def _load_axe(page) -> None:
    """axe-core in the page, once per document: evaluated through DevTools (the page's CSP, no inline script,
    stays on), into the pages that are checked only, not into every page a journey opens (half a megabyte of
    script to compile at each)."""
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(_axe_source())


@contextmanager
def at_width(page, width: str):
    """The page resized to `width` ("phone" or "desktop") for the block, then back to the width it had (neither
    resize made when the page is at that width already: each lays the page out again)."""
    size, name = page.viewport_size, page.width_name
    if size != WIDTHS[width]:
        page.set_viewport_size(WIDTHS[width])
    page.width_name = width
    try:
        yield page
    finally:
        if page.viewport_size != size:
            page.set_viewport_size(size)
        page.width_name = name


def check_page_at_both_widths(page, name: str) -> None:
    """`check_page` at phone width and at desktop width (screenshots `{name}-phone.jpg`, `{name}-desktop.jpg`),
    the page's own width last, so that it is resized once and back; colour contrast at the page's own width."""
    own = page.width_name
    for width in sorted(WIDTHS, key=lambda width: width == own):
        with at_width(page, width):
            check_page(page, name, colour_contrast=width == own)


def errors_are_next_to_their_fields(page) -> bool:
    """Every field marked invalid has its message inside its own field block, tied by aria-describedby."""
    invalid = page.locator('[aria-invalid="true"]').count()
    return invalid > 0 and page.evaluate(ERRORS_NOT_NEXT_TO_THEIR_FIELD) == []


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/manage/**")
