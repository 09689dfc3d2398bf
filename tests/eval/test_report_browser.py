"""The evaluation report opens in headless Chromium with every plot drawn (no network, no scripts)."""

from __future__ import annotations

import pytest

from eval.report import html_report
from tests.conftest import ARTIFACTS
from tests.eval.test_report import _results

pytestmark = pytest.mark.browser


def test_report_renders_with_plots(browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(html_report(_results()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(path.as_uri())
    figures = page.eval_on_selector_all(
        "figure svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
    assert len(figures) >= 6 and all(w > 100 and h > 50 for w, h in figures), figures
    assert "文件A" in page.inner_text("body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
    page.close()
