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
    page.evaluate("""() => { window.stages = []; new MutationObserver(() => window.stages.push(
        document.querySelector('#upload-status').textContent)).observe(document.querySelector('#upload-status'),
        {childList: true, characterData: true, subtree: true}); }""")
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#upload-status').textContent === '完成'", timeout=300_000)
    stages = page.evaluate("window.stages")
    assert stages and not any(w in s for s in stages for w in ("read", "check", "index", "queued")), stages
    assert page.eval_on_selector("#upload-progress", "p => !p.hidden && p.value === 100")
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


def test_two_parts_selected_together_upload_as_one_document(server, browser):
    """北京's 情况说明 and 报表 chosen together in the file picker: one document in the list, not two."""
    from tests.service.test_multipart_upload import _pair

    narrative, tables = _pair()
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(server.url + "/")
    page.click("#tab-docs")
    page.wait_for_selector("#doc-table tbody tr")
    before = page.eval_on_selector_all("#doc-table tbody tr", "rows => rows.length")
    page.set_input_files("#upload-file", [str(narrative), str(tables)])
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#upload-status').textContent === '完成'", timeout=300_000)
    page.wait_for_function(f"document.querySelectorAll('#doc-table tbody tr').length > {before}", timeout=60_000)
    assert page.eval_on_selector_all("#doc-table tbody tr", "rows => rows.length") == before + 1
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


# -- the inspector's desk (issue 15): page view, review page, layouts at 390 px and 1440 px ----------

import io  # noqa: E402
import json  # noqa: E402

import httpx  # noqa: E402

from tests.service.conftest import wait_for_job  # noqa: E402

PAGE_SCALE = 2.0  # service.pages.SCALE: image pixels per PDF point
BOX_WIDTH = 3  # service.pages.BOX_WIDTH: the outline is drawn outside the box


@pytest.fixture(scope="module")
def budget_pdf(server):
    """A generated 2025 budget PDF (narrative 服务55.39万元 vs the table's 522,513.00元), uploaded."""
    from eval.generate import generate_doc
    from eval.generate.render_pdf import render_pdf

    data = render_pdf(generate_doc(0, 7, "shanghai", errors=2, kinds=["narrative_amount"]))
    with httpx.Client(base_url=server.url, timeout=120) as c:
        job = c.post("/v1/documents", files={"file": ("budget.pdf", data, "application/pdf")}).json()
        done = wait_for_job(c, job["job_id"])
        assert done["status"] == "done", done
        model = c.get(f"/v1/documents/{done['document_id']}", params={"full": "true"}).json()["model"]
    return done["document_id"], data, model


def _red_bbox(png: bytes, loose: bool = False):
    """The bounding box of the box colour's pixels (exact in the served PNG; close in a screenshot,
    where the browser scales the image)."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    if loose:
        mask = (a[:, :, 0] > 170) & (a[:, :, 1] < 90) & (a[:, :, 2] < 90)
    else:
        mask = (a[:, :, 0] == 220) & (a[:, :, 1] == 20) & (a[:, :, 2] == 30)
    ys, xs = np.nonzero(mask)
    assert len(xs), "no box drawn"
    return xs.min(), ys.min(), xs.max(), ys.max()


def _printed(data: bytes, page: int, text: str):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in pdf.pages[page - 1].search(text, regex=False)]


def _cell(model, table_id, row, column):
    t = next(t for t in model["tables"] if t["id"] == table_id)
    r = next(r for r in t["rows"] if r["index"] == row)
    return next(c for c in r["cells"] if c["column"] == column)


def _check_box_on_screen(page, figure, box, shot_path):
    """Pixel test of one page view: the served image has the box at box × scale, and the screenshot
    of the frame shows it where the image of the box is on screen."""
    img = figure.locator("img.page-image")
    src = img.get_attribute("src")
    served = page.request.get(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + src if src.startswith("/") else src)
    x0, y0, x1, y1 = _red_bbox(served.body())
    s, w = PAGE_SCALE, BOX_WIDTH
    assert abs(x0 - (box[0] * s - w)) <= 2 and abs(y0 - (box[1] * s - w)) <= 2, ((x0, y0), box)
    assert abs(x1 - (box[2] * s + w)) <= 2 and abs(y1 - (box[3] * s + w)) <= 2, ((x1, y1), box)
    frame = figure.locator(".page-frame")
    geo = frame.evaluate("""f => { const i = f.querySelector('img'); const fr = f.getBoundingClientRect();
        const ir = i.getBoundingClientRect();
        return {dx: ir.left - fr.left, dy: ir.top - fr.top, k: i.clientWidth / (i.naturalWidth / 2),
                w: fr.width, h: fr.height}; }""")
    shot = frame.screenshot(path=str(shot_path))
    sx0, sy0, sx1, sy1 = _red_bbox(shot, loose=True)
    k = geo["k"]
    want = (box[0] * k + geo["dx"], box[1] * k + geo["dy"], box[2] * k + geo["dx"], box[3] * k + geo["dy"])
    tol = BOX_WIDTH * k + 3
    assert abs(sx0 - want[0]) <= tol and abs(sy0 - want[1]) <= tol, ((sx0, sy0), want)
    assert abs(sx1 - want[2]) <= tol and abs(sy1 - want[3]) <= tol, ((sx1, sy1), want)


def test_a_pdf_citation_shows_the_cell_boxed_on_its_page(server, browser, budget_pdf):
    doc_id, data, model = budget_pdf
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url + "/")
    page.wait_for_function(f"[...document.querySelectorAll('#doc-filter option')].some(o => o.value === 'doc:{doc_id}')")
    page.select_option("#doc-filter", f"doc:{doc_id}")
    page.fill("#question", "人员经费是多少")
    page.click("#ask-button")
    link = page.locator(".msg.bot .citation[data-column]").first
    link.wait_for(timeout=120_000)
    table_id, row, column = link.get_attribute("data-table-id"), int(link.get_attribute("data-row")), link.get_attribute("data-column")
    cell = _cell(model, table_id, row, column)
    cited_box = json.loads(link.get_attribute("data-box"))
    reader_box = (cell["figure"] or {}).get("location", {}).get("box")
    if reader_box:  # the reader fills boxes: the citation's is the model's
        assert [round(v, 2) for v in cited_box] == [round(v, 2) for v in reader_box]
    pg = int(link.get_attribute("data-page"))
    printed = _printed(data, pg, cell["text"])
    assert any(cited_box[0] - 1.5 <= p[0] and p[2] <= cited_box[2] + 1.5 and cited_box[1] - 1.5 <= p[1]
               and p[3] <= cited_box[3] + 1.5 for p in printed), (cited_box, printed)
    link.click()
    page.wait_for_selector("#evidence[open] .page-view[data-loaded='1']", timeout=60_000)
    headers = page.inner_text("#evidence .row-table")
    assert column.split("/")[-1] in headers and cell["text"] in headers  # the row with its column headers
    assert page.inner_text("#evidence .row-table tr.cited td") == cell["text"]
    _check_box_on_screen(page, page.locator("#evidence .page-view").first, reader_box or cited_box,
                         ARTIFACTS / "citation-page-box.png")
    page.screenshot(path=str(ARTIFACTS / "chat-pdf-citation-1440.png"))
    page.close()


def _amount_finding(server, doc_id):
    review = httpx.get(f"{server.url}/v1/documents/{doc_id}/review", timeout=60).json()
    return next(f for f in review["findings"] if f["code"] == "N-AMOUNT")


def test_a_findings_two_sides_are_boxed_and_it_can_be_dismissed(server, browser, budget_pdf):
    doc_id, data, model = budget_pdf
    finding = _amount_finding(server, doc_id)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    # from the findings report: the finding's link opens the review page on that finding
    page.goto(f"{server.url}/v1/documents/{doc_id}/findings?format=html")
    assert "万元万元" not in page.content() and "章节s" not in page.content()
    page.click(f"a.page-link[href$='#finding-{finding['id']}']")
    page.wait_for_url(f"**/review/{doc_id}#finding-{finding['id']}")
    card = page.locator(f"#finding-{finding['id']}.selected")
    card.wait_for()
    page.wait_for_function("document.querySelectorAll('#page-panel .page-view[data-loaded=\"1\"]').length >= 2",
                           timeout=60_000)
    views = page.locator("#page-panel .side-view")
    assert views.count() == len(finding["sides"]) == 2
    for i, side in enumerate(finding["sides"]):
        table = side["side"] == "table"
        if table and side["row"]:
            c = next(c for c in side["row"]["cells"] if c["cited"])
            assert c["text"] == "522,513.00"
        _check_box_on_screen(page, views.nth(i).locator(".page-view"), side["box"],
                             ARTIFACTS / f"finding-{side['side']}-box.png")
        printed = _printed(data, side["page"], "522,513.00" if table else "55.39")
        b = side["box"]
        assert any(b[0] - 1.5 <= p[0] and p[2] <= b[2] + 1.5 and b[1] - 1.5 <= p[1] and p[3] <= b[3] + 1.5
                   for p in printed), (b, printed)
    page.screenshot(path=str(ARTIFACTS / "review-finding-1440.png"))

    page.fill("#reviewer", "王五")
    card.locator(".dismiss").click()
    card.locator(".send-dismiss").click()
    assert "必须写明原因" in card.locator(".decide-error").inner_text()
    card.locator(".reason").fill("口径不同：文字为万元，表为元，核对无误")
    card.locator(".send-dismiss").click()
    page.wait_for_function(f"document.querySelector('#finding-{finding['id']}').dataset.status === 'dismissed'")
    page.reload()
    card = page.locator(f"#finding-{finding['id']}")
    card.wait_for()
    line = card.locator(".decision-line").inner_text()
    assert "已排除" in line and "王五" in line and "口径不同" in line
    page.close()


def _layout_problems(page) -> list[str]:
    """What a reader at this width would trip over: sideways scroll, a title one character per line,
    a visible link or button covered by something else (the question bar over the citations)."""
    return page.evaluate("""() => {
        const out = [];
        const de = document.documentElement;
        if (de.scrollWidth > de.clientWidth + 1) out.push(`horizontal scroll ${de.scrollWidth} > ${de.clientWidth}`);
        const h1 = document.querySelector('header h1');
        if (h1) { const lh = parseFloat(getComputedStyle(h1).lineHeight) || 24;
                  if (h1.getBoundingClientRect().height > lh * 1.6) out.push('title wraps'); }
        const vh = window.innerHeight;
        for (const el of document.querySelectorAll('a, button, input, select, .citation, .finding .msg-text')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
            if (el.closest('dialog:not([open])') || el.closest('[hidden]')) continue;
            if (r.right > de.clientWidth + 1) out.push(`off the right edge: ${el.outerHTML.slice(0, 80)}`);
            const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
            if (cy < 0 || cy > vh || cx < 0 || cx > de.clientWidth) continue;
            const top = document.elementFromPoint(cx, cy);
            if (top && top !== el && !el.contains(top) && !top.contains(el)) {
                out.push(`covered: ${el.outerHTML.slice(0, 60)} by ${top.outerHTML.slice(0, 60)}`);
            }
        }
        return out;
    }""")


@pytest.mark.parametrize("width", [390, 1440])
def test_chat_and_review_pages_read_well(server, browser, budget_pdf, width):
    doc_id, data, model = budget_pdf
    page = browser.new_page(viewport={"width": width, "height": 844 if width == 390 else 1000})
    page.goto(server.url + "/")
    # several departments are loaded: the selector scopes the question (unscoped, it names them instead)
    page.wait_for_function(f"[...document.querySelectorAll('#doc-filter option')].some(o => o.value === 'doc:{doc_id}')")
    page.select_option("#doc-filter", f"doc:{doc_id}")
    page.fill("#question", "三公经费是多少")
    page.click("#ask-button")
    page.wait_for_selector(".msg.bot .citation", timeout=120_000)
    for y in (0, 10_000):  # the top of the page and the end of the answer, where the question bar is
        page.evaluate(f"window.scrollTo(0, {y})")
        assert _layout_problems(page) == [], (width, y)
    page.screenshot(path=str(ARTIFACTS / f"chat-{width}.png"), full_page=True)
    page.locator(".msg.bot .citation").first.click()
    page.wait_for_selector("#evidence[open]")
    box = page.eval_on_selector("#evidence", "d => d.getBoundingClientRect().right")
    assert box <= width, box
    page.screenshot(path=str(ARTIFACTS / f"chat-citation-{width}.png"))
    page.click("#evidence-close")

    page.click("#tab-docs")
    page.wait_for_selector("#doc-table .report-review")
    assert _layout_problems(page) == [], width
    page.screenshot(path=str(ARTIFACTS / f"documents-{width}.png"), full_page=True)

    finding = _amount_finding(server, doc_id)
    page.goto(f"{server.url}/review/{doc_id}")
    page.locator(f"#finding-{finding['id']}").click()
    page.wait_for_function("document.querySelectorAll('#page-panel .page-view[data-loaded=\"1\"]').length >= 2",
                           timeout=60_000)
    for y in (0, 2_000, 100_000):
        page.evaluate(f"window.scrollTo(0, {y})")
        assert _layout_problems(page) == [], (width, y)
    if width >= 1440:  # findings and the page side by side
        left = page.eval_on_selector("#findings", "e => e.getBoundingClientRect().right")
        right = page.eval_on_selector("#page-panel", "e => e.getBoundingClientRect().left")
        assert left <= right
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"review-{width}.png"), full_page=width < 1440)
    page.close()


def test_a_text_citation_shows_the_row_with_its_headers_or_the_passage(server, browser):
    """Converted text has no page image: a row citation opens the row under its column headers, a
    sentence citation the passage with the sentence marked."""
    docs = httpx.get(f"{server.url}/v1/documents", timeout=60).json()["documents"]
    seed = next(d for d in docs if d["source"].startswith("000_"))
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url + "/")
    page.wait_for_function(f"[...document.querySelectorAll('#doc-filter option')].some(o => o.value === 'doc:{seed['id']}')")
    page.select_option("#doc-filter", f"doc:{seed['id']}")
    page.fill("#question", "人员经费是多少")  # its table row and the sentence that states it
    page.click("#ask-button")
    page.wait_for_selector(".msg.bot .citation", timeout=120_000)
    page.locator(".msg.bot .citation[data-table-id]").first.click()
    page.wait_for_selector("#evidence[open] .row-table")
    headers = page.eval_on_selector_all("#evidence .row-table th", "ths => ths.map(t => t.textContent)")
    assert len(headers) >= 2 and all(h.strip() for h in headers), headers
    assert page.locator("#evidence .page-view").count() == 0
    page.screenshot(path=str(ARTIFACTS / "text-citation-row.png"))
    page.click("#evidence-close")
    page.locator(".msg.bot .citation[data-section-id]").first.click()
    page.wait_for_selector("#evidence[open] .passage-view mark")
    assert page.inner_text("#evidence .passage-view mark").strip()
    page.close()


def test_the_chat_scopes_by_the_question_or_the_selector_never_silently_to_all(server, browser, seeds_dir, budget_pdf):
    """Two departments loaded: a question naming none is answered with the departments it could
    mean and no figure; the department selector (or a department in the question) scopes it, and
    the answer says which department it stands on. On a phone-sized screen."""
    with httpx.Client(base_url=server.url, timeout=120) as c:
        names = {d["source"] for d in c.get("/v1/documents").json()["documents"]}
        if "000_ccf1996943bb7af8.txt" not in names:
            job = c.post("/v1/documents", files={"file": ("000_ccf1996943bb7af8.txt",
                         (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes(), "text/plain")}).json()
            assert wait_for_job(c, job["job_id"])["status"] == "done"
        departments = sorted({d["department"] for d in c.get("/v1/documents").json()["documents"] if d["department"]})
    assert len(departments) >= 2, departments
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server.url + "/")
    page.wait_for_function("document.querySelectorAll('#doc-filter optgroup[label=\"部门\"] option').length >= 2")
    page.fill("#question", "人员经费是多少")
    page.click("#ask-button")
    page.wait_for_selector(".msg.bot[data-scope]", timeout=120_000)
    first = page.locator(".msg.bot").last
    assert first.get_attribute("data-scope") == "absent"
    text = first.locator(".body").inner_text()
    assert all(d in text for d in departments) and "万元" not in text  # names them, answers for none
    page.select_option("#doc-filter", "dept:三门峡市湖滨区医疗保障局")
    page.fill("#question", "人员经费是多少")
    page.click("#ask-button")
    page.wait_for_function("document.querySelectorAll('.msg.bot[data-scope]').length >= 2", timeout=120_000)
    second = page.locator(".msg.bot").last
    assert second.get_attribute("data-scope") == "selected"
    assert "三门峡市湖滨区医疗保障局" in second.locator(".scope").inner_text()
    page.select_option("#doc-filter", "")
    page.fill("#question", "湖滨区医保局人员经费是多少")  # the department in the question, abbreviated
    page.click("#ask-button")
    page.wait_for_function("document.querySelectorAll('.msg.bot[data-scope]').length >= 3", timeout=120_000)
    third = page.locator(".msg.bot").last
    assert third.get_attribute("data-scope") == "named" and "万元" in third.locator(".body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll
    page.screenshot(path=str(ARTIFACTS / "chat-scope-phone.png"), full_page=True)
    page.close()
