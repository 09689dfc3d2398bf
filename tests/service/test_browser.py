"""A citizen in a browser: headless Chromium (Debian's, driven by Playwright) opens the chat page,
uploads a disclosure, asks why 三公经费 fell, sees an answer with a citation and opens it. The
screenshots are kept as test artifacts in tests/artifacts/."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_upload_ask_and_open_a_citation(server, browser, seeds_dir):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server.url + "/")
    page.click("#tab-docs")
    page.set_input_files("#upload-file", str(seeds_dir / "000_ccf1996943bb7af8.txt"))
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#upload-status').textContent === '完成'", timeout=300_000)
    page.wait_for_selector("#doc-table tbody tr")
    assert "湖滨区医疗保障局" in page.inner_text("#doc-table")
    page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)

    page.click("#tab-chat")
    page.fill("#question", "三公经费为何下降")
    page.click("#ask-button")
    page.wait_for_selector(".msg.bot .citation", timeout=120_000)
    answer = page.inner_text(".msg.bot .body")
    assert "厉行节约" in answer  # the document's own reason, quoted
    page.click(".msg.bot .citation >> nth=0")
    page.wait_for_selector("#evidence[open]")
    quote = page.inner_text("#evidence blockquote")
    assert quote.strip() and quote.strip()[:6] in page.inner_text("#evidence")
    page.screenshot(path=str(ARTIFACTS / "chat-citation.png"), full_page=True)
    page.close()


def test_findings_report_opens_in_the_browser(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/")
    page.click("#tab-docs")
    page.wait_for_selector("#doc-table .report-html")
    href = page.get_attribute("#doc-table .report-html", "href")
    page.goto(server.url + href)
    assert "21.42" in page.content()  # the known narrative-vs-table contradiction of seed 000
    page.screenshot(path=str(ARTIFACTS / "findings-report.png"), full_page=True)
    page.close()


def test_api_docs_render_offline(server, browser):
    """The OpenAPI page draws from assets the service serves itself (no CDN: the machine may be offline)."""
    page = browser.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server.url) else None)
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=60_000)
    paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
    assert any("/v1/ask" in p for p in paths) and not external, external
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    page.close()
