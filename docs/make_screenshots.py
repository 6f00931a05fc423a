"""Rewrite the report screenshots the README shows (one study of each kind).

Runs legal_contracts (hosted fine-tuning) and customer_support (self-hosting) at their own
sample counts into a temporary folder and photographs the top of each report.html (the
verdict, the three figures and the summary) in headless Chromium, the system's, through
Playwright. Only file:// pages are loaded. From the repository's root::

    PYTHONPATH=. python docs/make_screenshots.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim import load_study, run_to_folder

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ("legal_contracts", "customer_support")
WIDTH = 1280


def main() -> None:
    """Run both studies and write docs/report_<study>.png."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                   else r.abort())
        for name in STUDIES:
            out = Path(tmp) / name
            run_to_folder(load_study(ROOT / "studies" / f"{name}.toml"), out)
            page.goto((out / "report.html").as_uri())
            page.wait_for_function("() => [...document.querySelectorAll('.chart')]"
                                   ".every(c => c.querySelector('svg'))")
            bottom = page.evaluate("() => document.querySelector('#sec-summary table.details')"
                                   ".getBoundingClientRect().top + scrollY - 40")
            target = ROOT / "docs" / f"report_{name}.png"
            page.screenshot(path=str(target), full_page=True,
                            clip={"x": 0, "y": 0, "width": WIDTH, "height": bottom})
            print(f"wrote {target.relative_to(ROOT)}")
        browser.close()


if __name__ == "__main__":
    main()
