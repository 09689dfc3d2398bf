"""A disclosure published as two files (北京: 情况说明 + 报表) uploaded as one document over HTTP.

Real uvicorn server, real PDFs from ../shared/wild. The service must give the same document as
`budgetqa parse A.pdf B.pdf` (indexing/read/multi.py), show the second part's pages, survive a
restart with the parts stored, and refuse bad part uploads without storing anything.
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from indexing.read.multi import read_parts
from tests.service.conftest import wait_for_job

WILD = Path(__file__).resolve().parents[3] / "shared" / "wild"


def _pair() -> tuple[Path, Path]:
    """The smallest 情况说明 + 报表 pair in wild/ (cheap to read in CI)."""
    pairs = [(n, n.with_name(n.name.replace("_narrative", "_tables"))) for n in sorted(WILD.glob("*_narrative.pdf"))]
    pairs = [p for p in pairs if p[1].exists()]
    if not pairs:
        pytest.skip(f"no 情况说明 + 报表 pair in {WILD} (../shared/wild is absent)")
    return min(pairs, key=lambda p: p[0].stat().st_size + p[1].stat().st_size)


def _files(*paths: Path) -> list:
    return [("file", (p.name, p.read_bytes(), "application/pdf")) for p in paths]


def test_two_files_are_one_document_with_both_parts_pages(server):
    narrative, tables = _pair()
    expected = read_parts([narrative, tables])
    with httpx.Client(base_url=server.url, timeout=120) as client:
        # sent tables first: the part marks in the names put the narrative first, as on disk
        r = client.post("/v1/documents", files=_files(tables, narrative))
        assert r.status_code == 202, r.text
        job = wait_for_job(client, r.json()["job_id"])
        assert job["status"] == "done", job
        assert job["document_id"] == expected.id
        body = client.get(f"/v1/documents/{expected.id}", params={"full": True}).json()["model"]
        assert body["page_count"] == expected.page_count
        assert len(body["tables"]) == len(expected.tables) > 0
        # a page of the second part: the stored joined PDF numbers it as the document does
        last_page = expected.page_count
        png = client.get(f"/v1/documents/{expected.id}/pages/{last_page}.png")
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        from pypdf import PdfReader

        annotated = client.get(f"/v1/documents/{expected.id}/annotated.pdf")
        assert annotated.status_code == 200
        # the summary pages, then every page of both parts
        assert len(PdfReader(io.BytesIO(annotated.content)).pages) > expected.page_count

    # restart on the same data folder: the document is still there, nothing read twice
    server.stop()
    server.start()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        ids = [d["id"] for d in client.get("/v1/documents").json()["documents"]]
        assert ids.count(expected.id) == 1


def test_bad_part_uploads_are_refused_and_store_nothing(server):
    narrative, _ = _pair()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        before = client.get("/v1/documents").json()["documents"]
        too_many = client.post("/v1/documents", files=_files(*[narrative] * 9))
        assert too_many.status_code == 413
        assert too_many.json()["error"]["code"] == "too_many_parts"
        assert "最多" in too_many.json()["error"]["message_zh"]
        garbage = client.post("/v1/documents", files=_files(narrative) + [("file", ("x.exe", b"MZ\x90\x00garbage", "application/octet-stream"))])
        assert garbage.status_code in (415, 422), garbage.text
        assert garbage.json()["error"]["message_en"]
        assert client.get("/v1/documents").json()["documents"] == before


def test_stored_parts_read_again_give_the_same_document(tmp_path):
    """What a restart does with an upload of parts still queued: read the container again."""
    from service.bounded import Limits
    from service.config import ServerSettings
    from service.upload_parts import PARTS_SUFFIX, prepare, read_stored

    narrative, tables = _pair()
    limits = Limits.of(ServerSettings(data_dir=tmp_path))
    doc, container, pdf = prepare([(tables.name, tables.read_bytes()), (narrative.name, narrative.read_bytes())], limits)
    again = read_stored(container, PARTS_SUFFIX, doc.source, limits)
    assert again.id == doc.id == read_parts([narrative, tables]).id
    assert again.source.startswith(narrative.name)  # the narrative first, whatever the order sent
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) == doc.page_count
