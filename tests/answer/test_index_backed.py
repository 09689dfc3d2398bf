"""The acceptance rates through the path users take: the seeds ingested into the persistent index
(real m3e embeddings, embedded Chroma, BM25), answered by the service's IndexQA with the question's
document chosen (as a portal or the chat page's document filter does)."""

from __future__ import annotations

import pytest

from tests.answer.qa_eval import load_qa, score
from tests.answer.test_acceptance import _print_rates, untraceable

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_results(tmp_path_factory, labels_dir, seeds_dir):
    from indexing.ingest import Index
    from indexing.read import read_document
    from service.index_evidence import IndexQA

    index = Index.open(tmp_path_factory.mktemp("qa-index"))
    docs = {}
    for seed in sorted(seeds_dir.glob("*.txt")):
        doc = read_document(seed)
        index.ingest(doc)
        docs[seed] = doc
    qa = IndexQA(index)
    out = []
    for seed, q in load_qa(labels_dir, seeds_dir):
        result = qa.ask(q["question"], doc_ids=[docs[seed].id], mode="default")
        out.append((q, result))
    index.close()
    return out


def test_index_backed_rates(index_results):
    rates = _print_rates("index-backed default answerer", [(q, r.answer, r.answerable) for q, r in index_results])
    answerable = [(dict(q, type="answerable"), r.answer, r.answerable) for q, r in index_results
                  if q["type"] != "unanswerable"]
    overall = score(answerable)["answerable"]
    print(f"  key values present for {overall['ok']}/{overall['n']} answerable questions ({overall['rate']:.0%})")
    assert overall["rate"] >= 0.85, rates
    assert rates["why"]["ok"] == rates["why"]["n"]  # every why-question quotes the document's reason
    assert all(not r.answerable for q, r in index_results if q["type"] == "unanswerable")


def test_index_backed_answers_have_no_untraceable_figure(index_results):
    bad = {q["id"]: untraceable(r) for q, r in index_results if untraceable(r)}
    assert not bad
