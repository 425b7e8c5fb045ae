"""The report in a headless Chromium with every request outside the page refused: it asks for
nothing, draws its charts, and shows hostile labels as text."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from sweep import load_spec, run_sweep
from sweep.store import REPORT
from tests.maps.conftest import CHROMIUM_ARGS, _unavailable, chromium_path
from tests.sweep.conftest import plans_spec

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="window.__xss=1">'


def open_offline(page_path: Path) -> dict[str, Any]:
    """What Chromium saw of the page, every other request refused. In a thread of its own: the
    maps' tests keep a Playwright session open in this one for the whole run."""
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed")
    found: dict[str, Any] = {"requested": [], "errors": []}

    def look() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.on("console", lambda m: found["errors"].append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: found["errors"].append(str(e)))

                def route(r: Any) -> None:
                    if r.request.url == page_path.as_uri():
                        r.continue_()
                    else:
                        found["requested"].append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(page_path.as_uri())
                found["widths"] = page.eval_on_selector_all(
                    "svg", "els => els.map(e => e.getBoundingClientRect().width)")
                found["xss"] = page.evaluate("window.__xss")
                found["title"] = page.inner_text("h1")
                found["images"] = page.locator("img").count()
                browser.close()
        except Exception as exc:  # reported in the test's thread
            found["failure"] = exc

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(120)
    if "failure" in found:
        raise found["failure"]
    return found


def test_the_report_opens_offline_and_escapes_labels(tmp_path):
    """No request leaves the file, no script error, four charts of real size, labels as text."""
    column = f'[[scenario]]\nlabel = \'{HOSTILE}\'\nfiles = ["rail.toml"]\n'
    spec_file = plans_spec(tmp_path, n=60, extra=column)
    spec_file.write_text(spec_file.read_text().replace('name = "tiny plans"', f"name = '{HOSTILE} plans'"))
    run_sweep(load_spec(spec_file), tmp_path / "out")
    seen = open_offline(tmp_path / "out" / REPORT)
    assert seen["requested"] == [] and seen["errors"] == []
    assert len(seen["widths"]) == 4 and all(width > 300 for width in seen["widths"])
    assert seen["xss"] is None
    assert HOSTILE in seen["title"] and seen["images"] == 0
