"""Every bundled study's report.html in a real browser (headless Chromium through Playwright):
every section present and on screen, in order, inside the page; no chart wider than the
page or taller than a screen and a half; no table wider than the page; no text on a chart
under 12 px; the verdict at the top, in plain words with display names.

The reports come from the session's runs of the bundled studies (``bundled`` in
conftest.py, 1,024 samples each). Chromium is the system's (``playwright install`` cannot
download one here, and CI installs the Debian package); the only traffic allowed is
``file://``: any other request is aborted and fails the test. Skipped, saying why, only
when no chromium binary exists.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from helpers import STUDY_FILES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (CI installs the Debian package "
    "'chromium'; locally: apt-get install chromium)")

NAMES = sorted(p.stem for p in STUDY_FILES)
#: Every section of a report, in page order (see sim.report.run_report); those in
#: OPTIONAL appear when the study calls for them (correlations, a rate a pilot measures).
SECTIONS = ("verdict", "summary", "spreadsheet", "decomposition", "payback", "fan", "npv",
            "sensitivity", "shapley", "voi", "pilot", "sweep", "inputs", "assumptions",
            "manifest")
OPTIONAL = ("shapley", "pilot")
VIEWPORT = {"width": 1280, "height": 900}
#: The page's column: CSS max-width 1100 px, padding included (sim.report.theme).
PAGE_WIDTH = 1100
#: A chart taller than this would not fit a screen and a half.
MAX_CHART_HEIGHT = 1350
MIN_FONT_PX = 12

MEASURE = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY,
            width: r.width, height: r.height}; };
  const body = document.body;
  const style = getComputedStyle(body);
  const inner = box(body);
  inner.left += parseFloat(style.paddingLeft); inner.right -= parseFloat(style.paddingRight);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    body: box(body), inner: inner,
    sections: [...document.querySelectorAll('section')].map(s => ({id: s.id, ...box(s)})),
    charts: [...document.querySelectorAll('.chart')].map(c => {
      const svg = c.querySelector('svg');
      return {id: c.id, svg: svg ? box(svg) : null, div: box(c)}; }),
    tables: [...document.querySelectorAll('table')].map(t => ({cls: t.className, ...box(t)})),
    fonts: [...document.querySelectorAll('.chart svg text')].map(
      t => parseFloat(getComputedStyle(t).fontSize)),
    verdict: document.querySelector('#verdict') ? {text: document.querySelector(
      '#verdict').textContent, ...box(document.querySelector('#verdict'))} : null,
    first: document.querySelector('h1 ~ section') ? document.querySelector(
      'h1 ~ section').id : null,
  };
}"""
RENDERED = ("() => [...document.querySelectorAll('.chart')].every("
            "c => c.querySelector('svg') !== null)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def _open(browser: Browser, path: Any) -> tuple[Page, list[str], list[str]]:
    """The page of ``path`` with its charts drawn; the requests it tried beyond file://
    (aborted) and its console errors."""
    page = browser.new_page(viewport=VIEWPORT)
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function(RENDERED, timeout=30_000)
    return page, outside, errors


@pytest.mark.parametrize("name", NAMES)
def test_report_in_a_browser(name, bundled, browser):
    folder = bundled(name).samples_path.parent
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    page, outside, errors = _open(browser, folder / "report.html")
    m = page.evaluate(MEASURE)
    page.close()
    assert outside == [] and errors == []
    inner = m["inner"]
    assert m["body"]["width"] <= PAGE_WIDTH
    assert m["scrollWidth"] <= VIEWPORT["width"], "the page scrolls sideways"
    # every section, once, in order, on screen and inside the page's column
    ids = [s["id"].removeprefix("sec-") for s in m["sections"]]
    assert [k for k in ids if k not in OPTIONAL] == [k for k in SECTIONS if k not in OPTIONAL]
    assert ids == [k for k in SECTIONS if k in ids]  # the optional ones in their places
    previous = 0.0
    for s in m["sections"]:
        assert s["height"] > 0, s["id"]
        assert inner["left"] - 1 <= s["left"] and s["right"] <= inner["right"] + 1, s["id"]
        assert s["top"] >= previous - 1, s["id"]
        previous = s["bottom"]
    # every chart drawn, inside the column, of a sane height
    assert m["charts"], "no chart on the page"
    for c in m["charts"]:
        svg = c["svg"]
        assert svg is not None, c["id"]
        assert 0 < svg["width"] <= inner["right"] - inner["left"] + 1, c
        assert svg["right"] <= inner["right"] + 1, c
        assert 0 < svg["height"] <= MAX_CHART_HEIGHT, c
    for t in m["tables"]:
        assert t["right"] <= inner["right"] + 1, t
    assert min(m["fonts"]) >= MIN_FONT_PX
    # the verdict opens the page, in plain words, with display names
    assert m["first"] == "sec-verdict"
    v = m["verdict"]
    assert v["text"] == summary["verdict"]
    assert v["top"] < VIEWPORT["height"] / 2 and v["bottom"] < VIEWPORT["height"]
    assert v["text"].startswith(("Stay on ", "Move to ", "No strategy "))
    labels = {s["label"] for k, s in summary["strategies"].items()
              if k in (summary["recommended"], summary["baseline"])}
    assert any(label in v["text"] for label in labels)
    assert "probability" not in v["text"] and "_" not in v["text"].split("(")[0]
