"""Batch ingest and check on a real two-worker Dask LocalCluster (indexing/batch.py).

- the index built by two workers (one writer: this process) equals the serial one, row for row and
  vector for vector (each with its own fresh embedding cache, so the vectors are computed twice);
- a worker SIGKILLed while it holds a task loses no document: the task reruns elsewhere;
- `budgetqa check A B` of one disclosure split over two files checks them as one document.
The real m3e-small model (ONNX int8, the default backend) and the real seeds of ../shared.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from indexing.batch import check_batch, dask_client, ingest_batch
from indexing.ingest import Index
from indexing.settings import Settings


def snapshot(index: Index) -> dict:
    """Everything a reader can see of an index: catalogue rows, figures, vectors by chunk id."""
    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in index.conn.execute(sql).fetchall()]

    docs = rows("SELECT doc_id, source, status, n_chunks, n_figures FROM documents ORDER BY doc_id")
    chunks = rows("SELECT chunk_id, doc_id, text, metadata FROM chunks ORDER BY chunk_id")
    # Figures without their row id: ids follow the order documents were written in, which the
    # cluster does not keep (the first document finished is written first).
    figures = sorted((r[1:] for r in rows("SELECT * FROM figures")), key=repr)
    got = index.vectors.collection.get(include=["embeddings", "documents", "metadatas"])
    vectors = {cid: (np.asarray(v, dtype=np.float32), text, meta)
               for cid, v, text, meta in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])}
    return {"docs": docs, "chunks": chunks, "figures": figures, "vectors": vectors}


def assert_same_index(a: dict, b: dict) -> None:
    assert a["docs"] == b["docs"]
    assert a["chunks"] == b["chunks"]
    assert a["figures"] == b["figures"]
    assert sorted(a["vectors"]) == sorted(b["vectors"])
    for cid, (vec, text, meta) in a["vectors"].items():
        other = b["vectors"][cid]
        assert (text, meta) == other[1:], cid
        # Same model and inputs; ONNX Runtime on 1 thread vs several may differ in the last bits.
        assert float(vec @ other[0]) > 0.99999, cid


def fresh_index(tmp_path: Path, name: str, monkeypatch) -> Index:
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(tmp_path / f"{name}_cache.sqlite"))
    return Index(Settings(data_dir=tmp_path / name))


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as c:
        yield c


def test_two_workers_equal_serial(seeds_dir, tmp_path, monkeypatch, client):
    serial = fresh_index(tmp_path, "serial", monkeypatch)
    serial_results = serial.ingest_many([seeds_dir], progress=False)
    parallel = fresh_index(tmp_path, "dask", monkeypatch)
    results = ingest_batch(parallel, [seeds_dir], client, progress=False)
    assert [r.status for r in results] == ["added"] * len(serial_results)
    assert [(r.doc_id, r.chunks, r.figures) for r in results] == [(r.doc_id, r.chunks, r.figures) for r in serial_results]
    assert_same_index(snapshot(serial), snapshot(parallel))
    c = parallel.counts()
    assert c["vectors"] == c["embedded"] < c["chunks"]  # table rows: BM25 and the figures store only
    again = ingest_batch(parallel, [seeds_dir], client, progress=False)
    assert {r.status for r in again} == {"unchanged"}
    serial.close()
    parallel.close()


def test_killed_worker_loses_nothing(seeds_dir, tmp_path, monkeypatch, client):
    index = fresh_index(tmp_path, "killed", monkeypatch)
    killed: dict = {}

    def kill_a_busy_worker():
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if busy:
                worker, keys = next(iter(busy.items()))
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)
                killed.update(worker=worker, pid=pid, keys=list(keys))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    results = ingest_batch(index, [seeds_dir], client, progress=False)
    killer.join()
    assert killed, "no worker was ever busy: nothing was killed"
    assert pid_gone(killed["pid"])
    n = len(list(seeds_dir.glob("*.txt")))
    assert [r.status for r in results] == ["added"] * n, results
    c = index.counts()
    assert c["documents"] == n and c["not_ready"] == 0 and c["vectors"] == c["embedded"]
    index.close()


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_split_disclosure_checked_as_one(tmp_path, client):
    """情况说明 and 报表 as two files (the generator's multi-file form) → one report of one document."""
    from eval.generate import generate_corpus
    from service.bounded import Limits

    generate_corpus(str(tmp_path / "gen"), 1, 3, formats=["text"], styles="all")
    text = next((tmp_path / "gen" / "docs").glob("*.txt")).read_text("utf-8")
    cut = text.find("\n", len(text) // 2)
    narrative, tables = tmp_path / "d_narrative.txt", tmp_path / "d_tables.txt"
    narrative.write_text(text[:cut], "utf-8")
    tables.write_text(text[cut:], "utf-8")
    checked = check_batch([narrative, tables], Limits(), client, progress=False)
    assert len(checked) == 1
    doc, report = checked[0]
    assert report.error is None and doc is not None
    assert report.source == "d_narrative.txt + d_tables.txt" and doc.source == report.source
