"""Fixtures for the index tests: a small hand-built Document, a fast fake embedding, a Chroma server.

The fake embedding hashes character bigrams into a unit vector: deterministic, no torch, and
texts sharing words are near each other, which is all the plumbing tests need. Tests marked
`slow` use the real m3e-small model.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from indexing.model import Document, DocumentMeta
from indexing.read.sections import Line, build_sections
from indexing.read.tables import build_table
from indexing.settings import Settings
from tests.conftest import free_port, stop_process, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
CHROMA_BIN = ROOT / ".venv" / "bin" / "chroma"


class FakeEmbeddings(Embeddings):
    name = "fake-bigram-64"
    dim = 64

    def _vec(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        text = "".join(text.split())
        for a, b in zip(text, text[1:]):
            h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "big")
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        n = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / n for x in v]

    def embed_documents(self, texts):
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


NARRATIVE = [
    Line("第一部分 上海市普陀区司法局概况", 1),
    Line("一、主要职责", 1),
    Line("贯彻落实国家关于法治建设的方针政策，负责全区法治宣传教育和人民调解工作。", 1),
    Line("第二部分 2026年单位预算情况说明", 2),
    Line("一、收支预算总体情况", 2),
    Line("2026年收入预算总计2,345.67万元，支出预算总计2,345.67万元，与2025年相比增加45.10万元，增长1.96%。", 2),
    Line("主要原因是人员调整和法律援助项目增加。" * 12, 2),
    Line("二、“三公”经费预算情况", 3),
    Line("2026年“三公”经费预算为12.50万元，其中公务接待费2.50万元，公务用车运行维护费10.00万元，因公出国（境）费0万元。", 3),
    Line("三、机关运行经费", 3),
    Line("2026年机关运行经费预算为88.30万元，比2025年减少3.20万元，主要原因是厉行节约。", 3),
]


def make_document(doc_id: str = "d" * 64, department: str = "上海市普陀区司法局", year: int = 2026) -> Document:
    sections = build_sections(NARRATIVE, title=f"{department}{year}年单位预算")
    t1 = build_table(
        "t1",
        "一般公共预算支出表",
        [["科目编码", "科目编码", "科目编码", "科目名称", "合计", "基本支出", "项目支出"],
         ["类", "款", "项", "科目名称", "合计", "基本支出", "项目支出"]],
        [["204", "", "", "公共安全支出", "15,648,853.34", "14,348,853.34", "1,300,000.00"],
         ["204", "06", "", "司法", "15,648,853.34", "14,348,853.34", "1,300,000.00"],
         ["204", "06", "01", "行政运行", "14,348,853.34", "14,348,853.34", ""],
         ["204", "06", "04", "法律援助", "1,300,000.00", "", "1,300,000.00"],
         ["", "", "", "合计", "15,648,853.34", "14,348,853.34", "1,300,000.00"]],
        row_pages=[5, 5, 5, 5, 5],
        context="单位：元",
    )
    t2 = build_table(
        "t2",
        "一般公共预算“三公”经费支出表",
        [["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "公务用车购置及运行费"],
         ["合计", "因公出国（境）费", "公务接待费", "公务用车购置费", "公务用车运行维护费"]],
        [["125,000.00", "0.00", "25,000.00", "0.00", "100,000.00"]],
        row_pages=[7],
        context="单位：元",
    )
    t3 = build_table("t3", "政府性基金预算支出表", [["科目名称", "合计"]], [], pages=[8], context="单位：元")
    t3.empty_note = "本单位2026年无政府性基金预算拨款安排的支出，故本表为空表。"
    return Document(
        id=doc_id,
        source=f"{department}_{year}.txt",
        format="text",
        meta=DocumentMeta(department=department, region="上海市普陀区", year=year, kind="预算", level="单位",
                          unit="万元", table_unit="元"),
        page_count=8,
        sections=sections,
        tables=[t1, t2, t3],
    )


@pytest.fixture
def doc() -> Document:
    return make_document()


@pytest.fixture
def doc2() -> Document:
    return make_document("e" * 64, department="上海市普陀区财政局", year=2025)


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    return FakeEmbeddings()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server process on a free port; yields (host, port); stopped afterwards."""
    if not CHROMA_BIN.exists():
        pytest.skip(f"{CHROMA_BIN} not installed")
    path, port = tmp_path_factory.mktemp("chroma_server"), free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    log = open(path / "server.log", "wb")
    proc = subprocess.Popen(
        [str(CHROMA_BIN), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        wait_until_serving(proc, f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60, what="chroma server",
                           log=path / "server.log")
        yield "127.0.0.1", port
    finally:
        stop_process(proc, timeout=15)
        log.close()


@pytest.fixture(params=["embedded", "server"])
def settings(request, tmp_path) -> Settings:
    """The same tests run against embedded Chroma and a Chroma server (unique collection each)."""
    base = Settings(data_dir=tmp_path / "data", collection=f"t_{abs(hash(request.node.nodeid)) % 10**10}")
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        return base.with_(chroma_host=host, chroma_port=port)
    return base


@pytest.fixture
def embedded_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


# ---------------------------------------------------------------- real-model indexes, built once per session
# Ingesting with m3e-small is the slow part of this folder (~25 chunks/s on 2 idle cores), so the seed
# corpus and the held-out generated corpus are ingested once per session and shared by every test that
# needs them. Vectors also go through the on-disk embedding cache (indexing/embed_cache.py): by default
# a file next to pytest's temp folders (kept between runs), or BUDGETQA_EMBED_CACHE; "off" disables it.
HELD_OUT = {"n": 10, "seed": 7}  # python -m eval.generate --out DIR --n 10 --seed 7 --formats text


@pytest.fixture(scope="session")
def embed_cache_path(tmp_path_factory) -> Path:
    env = os.environ.get("BUDGETQA_EMBED_CACHE")
    if env:
        return Path(env)
    return tmp_path_factory.getbasetemp().parent / "budgetqa_embed_cache.sqlite"


def _real_index(tmp_path_factory, name: str, docs_dir: Path, cache: Path):
    from indexing.ingest import Index
    from retrieval_eval import ingest_corpus

    old = os.environ.get("BUDGETQA_EMBED_CACHE")
    os.environ["BUDGETQA_EMBED_CACHE"] = str(cache)
    try:
        index = Index(Settings(data_dir=tmp_path_factory.mktemp(name)))  # the real m3e-small model
    finally:
        if old is None:
            os.environ.pop("BUDGETQA_EMBED_CACHE", None)
        else:
            os.environ["BUDGETQA_EMBED_CACHE"] = old
    start = time.perf_counter()
    doc_ids = ingest_corpus(index, docs_dir)
    took = time.perf_counter() - start
    cache_obj = index.vectors.cache
    stats = {"seconds": round(took, 1), "chunks": index.counts()["chunks"],
             "cache_hits": cache_obj.hits if cache_obj else 0, "embedded": cache_obj.misses if cache_obj else None}
    print(f"\n[{name}] ingested {len(doc_ids)} documents: {stats}")
    return index, doc_ids, stats


@pytest.fixture(scope="session")
def seed_index(seeds_dir, tmp_path_factory, embed_cache_path):
    """(Index, {source: doc id}) of the three seed documents, real model."""
    index, doc_ids, _ = _real_index(tmp_path_factory, "seed_index", seeds_dir, embed_cache_path)
    yield index, doc_ids
    index.close()


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory) -> Path:
    from eval.generate import generate_corpus

    out = tmp_path_factory.mktemp("generated")
    generate_corpus(str(out), HELD_OUT["n"], HELD_OUT["seed"], errors_per_doc=2, formats=["text"], styles="all")
    return out


@pytest.fixture(scope="session")
def generated_index(generated_corpus, tmp_path_factory, embed_cache_path):
    """(Index, {source: doc id}) of the held-out generated documents, real model."""
    index, doc_ids, _ = _real_index(tmp_path_factory, "generated_index", generated_corpus / "docs", embed_cache_path)
    yield index, doc_ids
    index.close()
