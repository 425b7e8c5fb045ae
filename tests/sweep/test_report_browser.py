"""The report in a headless Chromium with every request outside the page refused: it asks for
nothing, draws its charts, and shows hostile labels as text."""

from __future__ import annotations

import pytest

from sweep import load_spec, run_sweep
from sweep.store import REPORT
from tests.sweep.conftest import plans_spec

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="window.__xss=1">'


def test_the_report_opens_offline_and_escapes_labels(browser, tmp_path):
    """No request leaves the file, no script error, four charts of real size, labels as text."""
    column = f'[[scenario]]\nlabel = \'{HOSTILE}\'\nfiles = ["rail.toml"]\n'
    spec_file = plans_spec(tmp_path, n=60, extra=column)
    spec_file.write_text(spec_file.read_text().replace('name = "tiny plans"', f"name = '{HOSTILE} plans'"))
    run_sweep(load_spec(spec_file), tmp_path / "out")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url == (tmp_path / "out" / REPORT).as_uri():
            r.continue_()
        else:
            requested.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto((tmp_path / "out" / REPORT).as_uri())
    sizes = page.eval_on_selector_all("svg", "els => els.map(e => e.getBoundingClientRect().width)")
    assert requested == [] and errors == []
    assert len(sizes) == 4 and all(width > 300 for width in sizes)
    assert page.evaluate("window.__xss") is None
    assert HOSTILE in page.inner_text("h1") and page.locator("img").count() == 0
    context.close()
