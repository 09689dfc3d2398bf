"""A portal's story over real HTTP: upload a real PDF, wait for its job, ask, read the findings in
three formats, restart the server and find the same documents (issue 6 acceptance)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from tests.service.conftest import Server, wait_for_job

pytestmark = pytest.mark.slow

PDF = "P09_shanghai_putuo_caizheng_ju_dept_budget_2025.pdf"


@pytest.fixture(scope="module")
def uploaded(server, pdfs_dir):
    with httpx.Client(base_url=server.url, timeout=120) as client:
        data = (pdfs_dir / PDF).read_bytes()
        resp = client.post("/v1/documents", files={"file": (PDF, data, "application/pdf")})
        assert resp.status_code == 202, resp.text
        job = wait_for_job(client, resp.json()["job_id"])
        assert job["status"] == "done", job
        return job["document_id"]


def test_uploaded_pdf_is_listed_with_its_metadata(server, uploaded):
    docs = httpx.get(f"{server.url}/v1/documents").json()["documents"]
    doc = next(d for d in docs if d["id"] == uploaded)
    assert doc["department"] == "上海市普陀区财政局" and doc["year"] == 2025
    assert doc["figures"] > 100 and doc["chunks"] > 20


def test_ask_returns_the_cited_figure(server, uploaded):
    resp = httpx.post(f"{server.url}/v1/ask", json={"question": "2025年三公经费预算是多少？", "document_ids": [uploaded]},
                      timeout=120)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert result["answerable"] and "0.95" in result["answer"]
    assert result["citations"] and all(c["doc_id"] == uploaded for c in result["citations"])
    assert result["grounded"]


def test_ask_streams_server_sent_events(server, uploaded):
    with httpx.stream("POST", f"{server.url}/v1/ask/stream", json={"question": "三公经费为何变化？"}, timeout=120) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [line[len("event: "):] for line in resp.iter_lines() if line.startswith("event: ")]
    assert events[-1] == "result"


def test_findings_in_json_html_and_excel(server, uploaded):
    base = f"{server.url}/v1/documents/{uploaded}/findings"
    report = httpx.get(base, params={"format": "json"}, timeout=60).json()
    findings = report["documents"][0]["findings"]
    # P09 prints 887.36万元 in the narrative where the table holds 873,617.00元 (an extra digit).
    errors = [f for f in findings if f["severity"] == "error"]
    assert any(Decimal(f["stated"]) == Decimal("887.36") for f in errors if f.get("stated"))
    html = httpx.get(base, params={"format": "html"}, timeout=60)
    assert html.headers["content-type"].startswith("text/html") and "887.36" in html.text
    xlsx = httpx.get(base, params={"format": "xlsx"}, timeout=60)
    book = load_workbook(io.BytesIO(xlsx.content))
    text = json.dumps([[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()], ensure_ascii=False,
                      default=str)
    assert "887.36" in text


def test_documents_survive_a_restart(server, uploaded):
    before = httpx.get(f"{server.url}/v1/documents").json()["documents"]
    server.stop()
    server.start()
    after = httpx.get(f"{server.url}/v1/documents").json()["documents"]
    assert [d["id"] for d in after] == [d["id"] for d in before]
    resp = httpx.post(f"{server.url}/v1/ask", json={"question": "三公经费预算是多少？", "document_ids": [uploaded]},
                      timeout=120)
    assert "0.95" in resp.json()["answer"]


def test_exact_figures_with_their_place(server, uploaded):
    """GET /v1/figures: every printed figure of a row, as a decimal string with its table, row, column
    and page; bad filters are refused in Chinese and English."""
    resp = httpx.get(f"{server.url}/v1/figures", params={"document_id": uploaded, "row": "合计", "origin": "table"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["count"] == len(body["figures"]) > 5
    for f in body["figures"]:
        assert f["doc_id"] == uploaded and f["origin"] == "table" and f["row_name"].replace(" ", "") in ("合计", "总计")
        assert f["table_title"] and f["column"] and f["page"] >= 1
        assert Decimal(f["value"]) == Decimal(f["raw"].replace(",", "") or "0")  # exact, never a float
    three_public = httpx.get(f"{server.url}/v1/figures", params={
        "document_id": uploaded, "table_type": "三公经费支出表", "column_contains": "合计"}).json()["figures"]
    assert {f["table_type"] for f in three_public} == {"三公经费支出表"}
    bad = httpx.get(f"{server.url}/v1/figures", params={"origin": "elsewhere"})
    assert bad.status_code == 422 and bad.json()["error"]["message_zh"] and bad.json()["error"]["message_en"]


def test_openapi_documents_every_route(server):
    schema = httpx.get(f"{server.url}/openapi.json").json()
    for path in ("/v1/documents", "/v1/jobs/{job_id}", "/v1/ask", "/v1/ask/stream", "/v1/search",
                 "/v1/chat/completions", "/v1/documents/{doc_id}/findings", "/v1/health", "/v1/figures"):
        assert path in schema["paths"], path


def test_interrupted_job_resumes_after_restart(tmp_path, seeds_dir):
    """A job still queued when the server stops is done on the next start (its upload is on disk)."""
    from service.config import ServerSettings
    from service.pipeline import Pipeline

    data_dir = tmp_path / "data"
    pipeline = Pipeline(ServerSettings.from_env(data_dir=data_dir))  # never started: the job stays queued
    job = pipeline.submit("000.txt", (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes())
    assert pipeline.jobs.get(job.id).status == "queued"
    pipeline.jobs.close()

    srv = Server(data_dir).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=60) as client:
            assert wait_for_job(client, job.id)["status"] == "done"
            assert [d["id"] for d in client.get("/v1/documents").json()["documents"]] == [job.doc_id]
    finally:
        srv.stop()


def test_answerer_follows_documents_added_and_deleted(tmp_path, seeds_dir):
    """The service keeps one answerer and adds / removes each document as it is indexed or deleted
    (rebuilding it would read every document again): answers see the change at once."""
    from indexing.ingest import Index
    from indexing.settings import Settings
    from service.config import ServerSettings
    from service.pipeline import Pipeline
    from tests.index.conftest import FakeEmbeddings

    index = Index(Settings(data_dir=tmp_path / "index"), embeddings=FakeEmbeddings())
    pipeline = Pipeline(ServerSettings.from_env(data_dir=tmp_path / "data"), index=index)
    try:
        assert pipeline.load_paths([seeds_dir / "000_ccf1996943bb7af8.txt"]) == 1
        question = "哪个部门人员经费最多？"
        first = pipeline.ask(question)
        answerer = pipeline._qa
        assert {c["doc_id"] for c in first["citations"]} == {index.documents()[0].doc_id}

        assert pipeline.load_paths([seeds_dir / "001_9d927ef525b240df.txt"]) == 1
        ids = {r.doc_id for r in index.documents()}
        second = pipeline.ask(question)
        assert pipeline._qa is answerer  # kept, not rebuilt
        assert {c["doc_id"] for c in second["citations"]} == ids and len(ids) == 2

        added = next(i for i in ids if i != first["citations"][0]["doc_id"])
        assert pipeline.delete(added)
        third = pipeline.ask(question)
        assert {c["doc_id"] for c in third["citations"]} == ids - {added}
        assert third["answer"] == first["answer"]
    finally:
        pipeline.jobs.close()
        index.close()


def test_worker_rebuilds_the_keyword_index_once_idle(tmp_path, seeds_dir):
    """After an upload the BM25 index is stale; the worker rebuilds it as soon as its queue is empty,
    so the next question does not wait for it (about 6 s at 1,000 documents)."""
    import time

    from indexing.ingest import Index
    from indexing.settings import Settings
    from service.config import ServerSettings
    from service.pipeline import Pipeline
    from tests.index.conftest import FakeEmbeddings

    index = Index(Settings(data_dir=tmp_path / "index"), embeddings=FakeEmbeddings())
    pipeline = Pipeline(ServerSettings.from_env(data_dir=tmp_path / "data"), index=index)
    pipeline.start()
    try:
        job = pipeline.submit("000.txt", (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes())
        deadline = time.monotonic() + 120
        while not (pipeline.jobs.get(job.id).status == "done" and not index.retriever.stale()):
            assert time.monotonic() < deadline, (pipeline.jobs.get(job.id).status, index.retriever.stale())
            time.sleep(0.2)
        assert [d.doc_id for d in index.documents()] == [job.doc_id]
        assert not index.warm()  # nothing left to build
    finally:
        pipeline.stop()
        pipeline.jobs.close()
        index.close()
