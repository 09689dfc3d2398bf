"""An inspector at the desk, over real HTTP (uvicorn in its own process): a generated 2025 budget PDF
whose narrative says 服务55.39万元 where the table prints 522,513.00元 is uploaded; its finding has
both sides placed on their pages; dismissing it needs a reason; the dismissal, with who and when,
survives the same document being uploaded (and checked) again, and shows in the Excel, HTML and
annotated-PDF exports; answers, figures and the OpenAI-compatible endpoint carry boxes."""

from __future__ import annotations

import io
from decimal import Decimal

import httpx
import pdfplumber
import pytest

from tests.fixtures.pdfgen import font_available
from tests.service.conftest import wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not font_available(), reason="the CJK font is not installed")]

REASON = "表中单位为元，文字为万元；已与财政局核对，属于排版错误以外的正常差异"


def budget_pdf() -> bytes:
    from eval.generate import generate_doc
    from eval.generate.render_pdf import render_pdf

    return render_pdf(generate_doc(0, 7, "shanghai", errors=2, kinds=["narrative_amount"]))


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def uploaded(client):
    data = budget_pdf()
    job = client.post("/v1/documents", files={"file": ("budget.pdf", data, "application/pdf")}).json()
    done = wait_for_job(client, job["job_id"])
    assert done["status"] == "done", done
    return done["document_id"], data


def _model(client, doc_id):
    return client.get(f"/v1/documents/{doc_id}", params={"full": "true"}).json()["model"]


def _cell_box(model, table_id, row, column):
    t = next(t for t in model["tables"] if t["id"] == table_id)
    r = next(r for r in t["rows"] if r["index"] == row)
    c = next(c for c in r["cells"] if c["column"] == column)
    return c, (c["figure"] or {}).get("location", {}).get("box")


def _printed_at(pdf_bytes, page, text):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in pdf.pages[page - 1].search(text, regex=False)]


def _covers(box, inner, tol=1.5):
    return box[0] - tol <= inner[0] and box[1] - tol <= inner[1] and inner[2] <= box[2] + tol and inner[3] <= box[3] + tol


def amount_finding(review):
    return next(f for f in review["findings"] if f["code"] == "N-AMOUNT")


def test_both_sides_of_a_finding_are_placed_on_their_pages(client, uploaded):
    doc_id, data = uploaded
    review = client.get(f"/v1/documents/{doc_id}/review").json()
    assert review["document"]["format"] == "pdf"
    f = amount_finding(review)
    assert f["decision"]["status"] == "open" and f["decision"]["status_zh"] == "待复核"
    table = next(s for s in f["sides"] if s["side"] == "table")
    narrative = next(s for s in f["sides"] if s["side"] == "narrative")
    assert table["value"] == "522,513.00元" and narrative["value"] == "55.39万元"  # the unit once
    assert "s1" not in narrative["where"] and "@" not in narrative["where"]
    assert table["row"]["cells"] and any(c["cited"] for c in table["row"]["cells"])
    assert any(c["header"] for c in table["row"]["cells"])
    for side, printed in ((table, "522,513.00"), (narrative, "55.39")):
        assert side["page"] and side["box"], side
        hits = _printed_at(data, side["page"], printed)
        assert any(_covers(side["box"], h) for h in hits), (side["box"], hits)


def test_a_dismissal_needs_a_reason_and_survives_a_second_upload(client, uploaded, server):
    doc_id, data = uploaded
    f = amount_finding(client.get(f"/v1/documents/{doc_id}/review").json())
    url = f"/v1/documents/{doc_id}/findings/{f['id']}/decision"
    bad = client.put(url, json={"status": "dismissed"})
    assert bad.status_code == 400 and "原因" in bad.json()["error"]["message_zh"]
    assert client.put(f"/v1/documents/{doc_id}/findings/nosuch/decision", json={"status": "confirmed"}).status_code == 404
    ok = client.put(url, json={"status": "dismissed", "reason": REASON, "reviewer": "李四"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["decision"]["who"] == "李四" and ok.json()["decision"]["at"]

    job = client.post("/v1/documents", files={"file": ("budget-again.pdf", data, "application/pdf")}).json()
    assert wait_for_job(client, job["job_id"])["status"] == "done"
    again = amount_finding(client.get(f"/v1/documents/{doc_id}/review").json())
    assert again["id"] == f["id"]
    assert again["decision"]["status"] == "dismissed" and again["decision"]["reason"] == REASON
    assert again["decision"]["who"] == "李四"

    from openpyxl import load_workbook

    xlsx = client.get(f"/v1/documents/{doc_id}/findings", params={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content))["发现"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    row = next(r for r in rows if r["发现编号"] == f["id"])
    assert row["复核"] == "已排除" and row["复核原因"] == REASON and row["复核人"] == "李四"
    assert not any("万元万元" in str(v) for r in rows for v in r.values())

    html = client.get(f"/v1/documents/{doc_id}/findings", params={"format": "html"}).text
    assert "已排除" in html and REASON in html and "万元万元" not in html and "章节s" not in html
    assert f"/review/{doc_id}#finding-{f['id']}" in html

    pdf = client.get(f"/v1/documents/{doc_id}/findings", params={"format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.content)) as annotated:
        summary = annotated.pages[0].extract_text().replace("\n", "")
        annots = [a for p in annotated.pages for a in p.annots]
    assert "已排除" in summary and "李四" in summary
    assert len(annots) == sum(1 for x in client.get(f"/v1/documents/{doc_id}/review").json()["findings"]
                              if x["severity"] not in ("info", "hint") for s in x["sides"] if s["box"])

    from service.review import precision_signal

    signal = precision_signal(server.data_dir)
    assert signal["by_code"]["N-AMOUNT"]["dismissed"] >= 1 and signal["precision"] is not None


def test_answers_figures_and_openai_citations_carry_boxes(client, uploaded):
    doc_id, data = uploaded
    model = _model(client, doc_id)
    ask = client.post("/v1/ask", json={"question": "人员经费是多少", "document_ids": [doc_id]}).json()
    rows = [c for c in ask["citations"] if c.get("table_id") and c.get("column")]
    assert rows, ask["citations"]
    for c in rows:
        cell, model_box = _cell_box(model, c["table_id"], c["row"], c["column"])
        assert c["box"] and c["page"] and c["cells"] and c["quote_with_headers"]
        if model_box:  # the reader's box, passed through unchanged
            assert [round(v, 2) for v in c["box"]] == [round(v, 2) for v in model_box]
        hits = _printed_at(data, c["page"], cell["text"])
        assert any(_covers(c["box"], h) for h in hits), (c["box"], hits)
    sentences = [c for c in ask["citations"] if c.get("section_id")]
    assert sentences and all(c["boxes"] for c in sentences)

    figs = client.get("/v1/figures", params={"document_id": doc_id, "column_contains": "人员经费"}).json()["figures"]
    assert figs and all(f.get("box") for f in figs if f["origin"] == "table")
    f0 = next(f for f in figs if f["origin"] == "table")
    assert Decimal(f0["value"]) and any(_covers(f0["box"], h) for h in _printed_at(data, f0["page"], f0["raw"]))

    chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "人员经费是多少"}]}).json()
    assert chat["citations"] and any(c.get("box") for c in chat["citations"])
    assert "来源" in chat["choices"][0]["message"]["content"]


def test_page_images_and_their_errors(client, uploaded):
    doc_id, data = uploaded
    png = client.get(f"/v1/documents/{doc_id}/pages/1.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    missing = client.get(f"/v1/documents/{doc_id}/pages/999.png")
    assert missing.status_code == 404 and "第 999 页" in missing.json()["error"]["message_zh"]
    bad = client.get(f"/v1/documents/{doc_id}/pages/1.png", params={"box": "1,2,3"})
    assert bad.status_code == 400 and "x0,top,x1,bottom" in bad.json()["error"]["message_zh"]
    view = client.get(f"/v1/documents/{doc_id}/view", params={"section_id": "s1"}).json()
    assert view["format"] == "pdf" and "passage" in view


def test_a_findings_identity_survives_moved_ids_and_the_latest_decision_counts(tmp_path):
    """No server: the identity ignores table and section ids (a newer reader may number them
    differently) but not what the inspector sees; the store keeps every change, the latest wins."""
    from checking.decisions import finding_key, finding_keys
    from checking.findings import Category, Evidence, Finding, Severity
    from indexing.model import Location
    from service.review import ReviewError, ReviewStore, precision_signal

    def finding(table_id, section_id, raw="522,513.00"):
        return Finding(code="N-AMOUNT", severity=Severity.error, category=Category.narrative_vs_table, message="m",
                       evidence=[Evidence(side="narrative", quote="服务55.39万元", raw="55.39万元",
                                          location=Location(section_id=section_id, offset=9)),
                                 Evidence(side="table", raw=raw, table_title="政府采购预算表", row_label="服务",
                                          location=Location(table_id=table_id, row=2, column="预算金额"))])

    assert finding_key(finding("t11", "s13")) == finding_key(finding("t12", "s14"))
    assert finding_key(finding("t11", "s13")) != finding_key(finding("t11", "s13", raw="522,514.00"))
    keys = finding_keys([finding("t1", "s1"), finding("t1", "s1")])
    assert keys[1] == keys[0] + "#2"

    store = ReviewStore(tmp_path / "review.db")
    with pytest.raises(ReviewError) as err:
        store.decide("d", keys[0], "dismissed", "  ")
    assert "原因" in err.value.zh
    store.decide("d", keys[0], "dismissed", "单位不同", "甲", code="N-AMOUNT")
    store.decide("d", keys[0], "confirmed", None, "乙", code="N-AMOUNT")
    store.decide("d", keys[1], "dismissed", "重复", "乙", code="N-AMOUNT")
    latest = store.decisions("d")
    assert latest[keys[0]].status == "confirmed" and latest[keys[0]].who == "乙"
    assert [d.status for d in store.history("d", keys[0])] == ["dismissed", "confirmed"]
    store.close()
    signal = precision_signal(tmp_path)
    assert signal["by_code"]["N-AMOUNT"] == {"confirmed": 1, "dismissed": 1, "precision": 0.5}
    assert precision_signal(tmp_path / "none") == {}
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "service.cli", "eval", "--review", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["review_precision"]["precision"] == 0.5
