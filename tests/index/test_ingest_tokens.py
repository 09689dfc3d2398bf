"""The remembered per-piece tokens of ingest are exactly the BM25 tokens of the whole chunk.

indexing/ingest.py `chunk_tokens` tokenises a chunk one space-separated piece at a time and
remembers each piece; BM25 must see the very tokens `tokenize` gives the whole text, or the index
would differ from one built by tokenising chunk by chunk. Checked on every chunk of a generated
disclosure (always) and of a real seed (when ../shared is present), plus texts built to probe the
edges: quotes, thousands commas and mixed scripts at a space.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexing.bm25 import tokenize
from indexing.chunks import chunk_document
from indexing.ingest import chunk_tokens
from indexing.read import read_document
from tests.conftest import SHARED

EDGES = [
    "“三公”经费 合计 14,348,853.34 元",
    "2025年 部门预算/合计 = 1,300,000.00；公用经费 = 379,600.00",
    "  leading and  double  spaces 一般公共预算 ",
    "Café 302 99 其他商品和服务支出 / é/ ①",
    "",
]


def _chunks_of(path: Path) -> list[str]:
    return [c.text for c in chunk_document(read_document(path))]


def test_edges_tokenise_alike():
    for text in EDGES:
        assert chunk_tokens(text) == tokenize(text), text


def test_generated_disclosure_chunks_tokenise_alike(tmp_path):
    from eval.generate import generate_corpus

    generate_corpus(str(tmp_path), 1, 11, formats=["text"], styles="all")
    texts = [t for p in sorted((tmp_path / "docs").glob("*.txt")) for t in _chunks_of(p)]
    assert len(texts) > 50
    assert [chunk_tokens(t) for t in texts] == [tokenize(t) for t in texts]


def test_real_seed_chunks_tokenise_alike():
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not present: the real-document check is skipped")
    texts = _chunks_of(seeds[0])
    assert [chunk_tokens(t) for t in texts] == [tokenize(t) for t in texts]
