"""Bad requests get the right status and a message in Chinese and English, and lose nothing stored:
no key, wrong key, read-only key writing, oversized / corrupt / empty / wrong-type uploads, unknown
documents and jobs, malformed JSON, rate limits."""

from __future__ import annotations

import httpx
import pytest

from tests.service.conftest import Server, wait_for_job

pytestmark = pytest.mark.slow

WRITE_KEY, READ_KEY = "w-secret-123", "r-secret-456"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, seeds_dir):
    env = {"BUDGETQA_API_KEYS": f"admin:{WRITE_KEY}:write,portal:{READ_KEY}:read",
           "BUDGETQA_MAX_UPLOAD_MB": "1", "BUDGETQA_RATE_LIMIT": "1000"}
    srv = Server(tmp_path_factory.mktemp("keyed") / "data", env).start()
    with httpx.Client(base_url=srv.url, timeout=120, headers={"X-API-Key": WRITE_KEY}) as client:
        data = (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes()
        job = client.post("/v1/documents", files={"file": ("000.txt", data, "text/plain")}).json()
        assert wait_for_job(client, job["job_id"])["status"] == "done"
    yield srv, job["document_id"]
    srv.stop()


def _error(resp: httpx.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert err["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message_zh"]) and err["message_en"].isascii()
    return err


def _documents(srv) -> list[str]:
    resp = httpx.get(f"{srv.url}/v1/documents", headers={"X-API-Key": READ_KEY})
    return [d["id"] for d in resp.json()["documents"]]


def test_missing_and_wrong_keys_are_refused(keyed):
    srv, _ = keyed
    _error(httpx.get(f"{srv.url}/v1/documents"), 401, "missing_api_key")
    _error(httpx.get(f"{srv.url}/v1/documents", headers={"X-API-Key": "nope"}), 401, "invalid_api_key")
    ok = httpx.get(f"{srv.url}/v1/documents", headers={"Authorization": f"Bearer {READ_KEY}"})
    assert ok.status_code == 200


def test_read_only_key_cannot_upload_or_delete(keyed):
    srv, doc_id = keyed
    ro = {"X-API-Key": READ_KEY}
    _error(httpx.post(f"{srv.url}/v1/documents", headers=ro, files={"file": ("a.txt", b"x", "text/plain")}),
           403, "read_only_key")
    _error(httpx.delete(f"{srv.url}/v1/documents/{doc_id}", headers=ro), 403, "read_only_key")
    assert doc_id in _documents(srv)


@pytest.mark.parametrize(
    "name,data,status,code",
    [
        ("big.txt", "预算".encode() * 400_000, 413, "too_large"),
        ("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, 422, "corrupt_file"),
        ("empty.txt", b"", 400, "empty_file"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(2000), 415, "unsupported_type"),
        ("noise.txt", b"lorem ipsum " * 200, 422, "not_a_disclosure"),
    ],
)
def test_bad_uploads_are_refused_and_lose_nothing(keyed, name, data, status, code):
    srv, doc_id = keyed
    before = _documents(srv)
    resp = httpx.post(f"{srv.url}/v1/documents", headers={"X-API-Key": WRITE_KEY}, files={"file": (name, data)})
    _error(resp, status, code)
    assert _documents(srv) == before and doc_id in before


def test_unknown_document_and_job(keyed):
    srv, _ = keyed
    h = {"X-API-Key": WRITE_KEY}
    _error(httpx.get(f"{srv.url}/v1/documents/{'0' * 64}", headers=h), 404, "document_not_found")
    _error(httpx.get(f"{srv.url}/v1/documents/{'0' * 64}/findings", headers=h), 404, "document_not_found")
    _error(httpx.delete(f"{srv.url}/v1/documents/{'0' * 64}", headers=h), 404, "document_not_found")
    _error(httpx.get(f"{srv.url}/v1/jobs/nope", headers=h), 404, "job_not_found")


def test_malformed_json_and_missing_fields(keyed):
    srv, doc_id = keyed
    h = {"X-API-Key": READ_KEY, "Content-Type": "application/json"}
    _error(httpx.post(f"{srv.url}/v1/ask", headers=h, content=b"{not json"), 422, "invalid_request")
    _error(httpx.post(f"{srv.url}/v1/ask", headers=h, json={"q": "x"}), 422, "invalid_request")
    _error(httpx.post(f"{srv.url}/v1/chat/completions", headers=h, json={"messages": []}), 422, "invalid_request")
    assert doc_id in _documents(srv)


def test_rate_limit_per_key(tmp_path):
    srv = Server(tmp_path / "data", {"BUDGETQA_API_KEYS": f"p:{READ_KEY}:read", "BUDGETQA_READ_RATE_LIMIT": "5"}).start()
    try:
        statuses = [httpx.get(f"{srv.url}/v1/documents", headers={"X-API-Key": READ_KEY}).status_code
                    for _ in range(8)]
        assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
        limited = httpx.get(f"{srv.url}/v1/documents", headers={"X-API-Key": READ_KEY})
        err = _error(limited, 429, "rate_limited")
        assert "Retry-After" in limited.headers and err
    finally:
        srv.stop()


def test_keys_are_not_stored_in_plain_text(keyed):
    srv, _ = keyed
    for path in srv.data_dir.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert WRITE_KEY.encode() not in path.read_bytes(), path


def test_upload_names_never_choose_a_path(keyed, seeds_dir):
    """A hostile file name is only a label: the upload is stored under its content hash in the data folder."""
    srv, _ = keyed
    data = (seeds_dir / "001_9d927ef525b240df.txt").read_bytes()
    resp = httpx.post(f"{srv.url}/v1/documents", headers={"X-API-Key": WRITE_KEY},
                      files={"file": ("../../../escape.txt", data, "text/plain")})
    assert resp.status_code == 202, resp.text
    doc_id = resp.json()["document_id"]
    assert (srv.data_dir / "uploads" / f"{doc_id}.txt").read_bytes() == data
    assert not list(srv.data_dir.parent.parent.rglob("escape.txt"))
