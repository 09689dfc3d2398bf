"""One evaluation run: read → check → index → retrieve → answer for every labelled document, the
naive baseline beside it (--baseline), per-document and overall metrics, stage latencies.

One index (and one baseline store) in a temp folder serves the whole run; each question is asked of
its own document (doc_id filter) in both systems, so their numbers compare like for like. Retrieval
metrics use the top 5 hits of each system; the baseline answers from its top 4 (as specified).
The answering chain is the service's `IndexQA` over that index (hybrid retrieval fused with the
lexical in-memory ranking), as users get it: its latency is the "answer" stage.
Metric definitions: eval/checker_eval.py, eval/matching.py, eval/qa_eval.py.
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Optional

from eval import checker_eval, qa_eval
from eval.labels import Label
from eval.matching import flags_of
from eval.metrics import improvement, mean, mrr, percentile, prf2, ratio, recall_at

K = 5
STAGES = ("read", "check", "index", "retrieve", "answer")


class Timer:
    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)

    def run(self, stage: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.samples[stage].append(time.perf_counter() - t0)

    def summary(self) -> dict:
        return {s: {"n": len(v), "p50_ms": _ms(percentile(v, 50)), "p95_ms": _ms(percentile(v, 95))}
                for s, v in self.samples.items()}


def _ms(s: Optional[float]) -> Optional[float]:
    return None if s is None else round(s * 1000, 1)


def evaluate(labels: list[Label], *, baseline: bool = False, qa: bool = True, progress: bool = True,
             embedding_model: Optional[str] = None, data_dir: Optional[Path] = None) -> dict:
    """Run everything on `labels` (each with its doc_path). `qa=False` skips index, retrieval and
    answers (reader and checker only: no model is loaded). `data_dir`: measure over that data
    folder's index, the one `ingest`, `ask` and `serve` use (labelled documents it lacks are added,
    those it holds are not embedded again; questions stay scoped to their document); without it a
    fresh index in a temporary folder, so the figures depend on the labelled documents alone."""
    from tqdm import tqdm

    from checking.check import run_checks
    from indexing.key_figures import key_figures
    from indexing.read import read_document

    timer, base_timer = Timer(), Timer()
    tmp = tempfile.TemporaryDirectory(prefix="budgetqa-eval-")
    index = rag = None
    docs, results, failed = {}, [], []
    labels = list(labels)
    try:
        if qa:
            from indexing.ingest import Index
            from indexing.settings import Settings

            if data_dir is not None:
                index = Index(Settings.of_data_folder(data_dir, embedding_model=embedding_model))
            else:
                index = Index(Settings.from_env(data_dir=Path(tmp.name) / "index", embedding_model=embedding_model))
            if baseline:
                from eval.baseline import NaiveRAG

                rag = NaiveRAG(index.embeddings, str(Path(tmp.name) / "baseline"))
        bar = tqdm(total=len(labels) * (2 if qa else 1), desc="eval", unit="step", disable=not progress)
        from indexing.read.errors import ReadError

        for label in list(labels):
            try:
                doc = timer.run("read", read_document, label.doc_path)
            except ReadError as exc:  # reported, not fatal: the other documents are still measured
                failed.append({"document": label.name, "error": f"{exc.zh} / {exc.en}"})
                labels.remove(label)
                bar.update(2 if qa else 1)
                continue
            docs[label.name] = doc
            report, ctx = timer.run("check", run_checks, doc)
            row = {
                "document": label.name, "format": doc.format, "department": label.department,
                "key_figures": checker_eval.key_figure_scores(label, key_figures(doc)),
                "claims": checker_eval.claim_scores(label, ctx.claims, ctx.aligned),
                "checker": checker_eval.flag_scores(label, flags_of(report)),
                "ledger": checker_eval.ledger_scores(report),
            }
            if index is not None:
                timer.run("index", index.ingest, doc)
                if rag is not None:
                    base_timer.run("index", rag.add, label.doc_path, doc.id)
            results.append(row)
            bar.update()
        if qa:
            from service.chain import QAService
            from service.index_evidence import IndexQA

            # The path users take: answers over the index; without one, over the documents in memory.
            service = IndexQA(index) if index is not None else QAService(list(docs.values()))
            for label, row in zip(labels, results):
                doc = docs[label.name]
                row["qa"] = _qa(label, doc, index, service, timer)
                if rag is not None:
                    row["baseline_qa"] = _qa_baseline(label, doc, rag, base_timer)
                bar.update()
        bar.close()
    finally:
        if index is not None:
            index.close()
        if rag is not None:
            rag.close()
        tmp.cleanup()
    out = {"documents": results, "overall": overall(results), "latency": timer.summary(), "failed_documents": failed}
    if baseline and qa:
        out["baseline_latency"] = base_timer.summary()
        out["comparison"] = compare(out["overall"])
    return out


def _qa(label: Label, doc, index, service, timer: Timer) -> list[dict]:
    rows = []
    for q in label.qa:
        row = {"id": q["id"], "type": q["type"]}
        if q["type"] != "unanswerable" and q.get("evidence_quote"):
            hits = timer.run("retrieve", index.search, q["question"], k=K, doc_id=doc.id)
            rel = [qa_eval.relevance(h.text, q) for h in hits]
            row["rank"] = next((i for i, r in enumerate(rel, 1) if r), None)
            row["relevance"] = next((r for r in rel if r), None)
        result = timer.run("answer", service.ask, q["question"], doc_ids=[doc.id])
        row["refused"] = not result.answerable
        row["kv_score"] = None if q["type"] == "unanswerable" else qa_eval.key_value_score(result.answer, q)
        row["ungrounded"] = qa_eval.ungrounded_count(result.answer, qa_eval.citations_as_evidence(result, doc),
                                                     q["question"])
        rows.append(row)
    return rows


def _qa_baseline(label: Label, doc, rag, timer: Timer) -> list[dict]:
    from service.evidence import Evidence

    rows = []
    for q in label.qa:
        row = {"id": q["id"], "type": q["type"]}
        chunks = timer.run("retrieve", rag.search, q["question"], K, doc.id)
        if q["type"] != "unanswerable" and q.get("evidence_quote"):
            rel = [qa_eval.relevance(c, q) for c in chunks]
            row["rank"] = next((i for i, r in enumerate(rel, 1) if r), None)
            row["relevance"] = next((r for r in rel if r), None)
        answer, source = timer.run("answer", rag.answer, q["question"], chunks)
        row["refused"] = not answer
        row["kv_score"] = None if q["type"] == "unanswerable" else qa_eval.key_value_score(answer, q)
        ev = [Evidence(id="b1", text=source, kind="sentence", doc_id=doc.id, source=doc.source)] if source else []
        row["ungrounded"] = qa_eval.ungrounded_count(answer, ev, q["question"])
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- aggregation

def qa_metrics(rows: list[dict]) -> dict:
    ranks = [r["rank"] for r in rows if "rank" in r]
    answerable = [r for r in rows if r["type"] != "unanswerable"]
    unanswerable = [r for r in rows if r["type"] == "unanswerable"]
    by_type = defaultdict(list)
    for r in answerable:
        if r["kv_score"] is not None:
            by_type[r["type"]].append(r["kv_score"])
    scores = [s for v in by_type.values() for s in v]
    return {
        "retrieval_queries": len(ranks), "recall@1": recall_at(ranks, 1), "recall@5": recall_at(ranks, K),
        "mrr": mrr(ranks),
        "relevant_by": {c: sum(1 for r in rows if r.get("relevance") == c) for c in ("quote", "quote_figures", "values")},
        "key_value_accuracy": mean(scores),
        "key_value_accuracy_by_type": {t: mean(v) for t, v in sorted(by_type.items())},
        "refusal_accuracy": ratio(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "false_refusals": ratio(sum(r["refused"] for r in answerable), len(answerable)),
        "ungrounded_figures": sum(r["ungrounded"] for r in rows),
        "questions": len(rows),
    }


def doc_metrics(row: dict) -> dict:
    kf, cl, ck = row["key_figures"], row["claims"], row["checker"]
    out = {
        "key_figure_accuracy": ratio(kf["correct"], kf["total"]),
        "claim_extraction_recall": ratio(cl["extracted"], cl["gold"]),
        "claim_recall": ratio(cl["aligned"], cl["gold"]),
        **{f"contradiction_{k}": v for k, v in prf2(ck["tp_flags"], ck["flags"], ck["found"], ck["targets"]).items()
           if k in ("precision", "recall", "f1")},
        "genuine_inconsistency_recall": ratio(ck["genuine_found"], ck["genuine_targets"]),
        "false_errors_on_consistent": ck["false_errors_on_consistent"],
        "all_flags_precision": ratio(ck["all_tp_flags"], ck["all_flags"]),
    }
    for key in ("qa", "baseline_qa"):
        if key in row:
            out[key] = qa_metrics(row[key])
    return out


def overall(results: list[dict]) -> dict:
    """Micro-averaged over documents (counts summed, then divided)."""
    for r in results:
        r["metrics"] = doc_metrics(r)
    s = lambda part, key: sum(r[part][key] for r in results)  # noqa: E731
    out = {
        "documents": len(results),
        "key_figure_accuracy": ratio(s("key_figures", "correct"), s("key_figures", "total")),
        "claim_extraction_recall": ratio(s("claims", "extracted"), s("claims", "gold")),
        "claim_recall": ratio(s("claims", "aligned"), s("claims", "gold")),
        **{f"contradiction_{k}": v for k, v in prf2(s("checker", "tp_flags"), s("checker", "flags"),
                                                    s("checker", "found"), s("checker", "targets")).items()},
        "genuine_inconsistency_recall": ratio(s("checker", "genuine_found"), s("checker", "genuine_targets")),
        "genuine_targets": s("checker", "genuine_targets"),
        "false_errors_on_consistent": s("checker", "false_errors_on_consistent"),
        "consistent_claims": s("checker", "consistent_claims"),
        "all_flags": s("checker", "all_flags"),
        "all_flags_precision": ratio(s("checker", "all_tp_flags"), s("checker", "all_flags")),
        # the ledger (issue 16): share of applicable checks that reached pass/fail; alarms per document
        "ledger_coverage": ratio(sum(r.get("ledger", {}).get("decided", 0) for r in results),
                                 sum(r.get("ledger", {}).get("applicable", 0) for r in results)),
        "ledger": {k: sum(r.get("ledger", {}).get("totals", {}).get(k, 0) for r in results)
                   for k in ("pass", "fail", "not_applicable", "insufficient_data", "extraction_doubt")},
        "alarms_per_doc": ratio(sum(r.get("ledger", {}).get("alarms", 0) for r in results), len(results)),
        "errors_per_doc": ratio(sum(r.get("ledger", {}).get("errors", 0) for r in results), len(results)),
    }
    out["by_code"], out["by_target_kind"] = _merge(results, "by_code"), _merge(results, "by_target_kind")
    for c in out["by_code"].values():
        c["precision"] = ratio(c["tp"], c["flags"])
    for c in out["by_target_kind"].values():
        c["recall"] = ratio(c["found"], c["targets"])
    for key in ("qa", "baseline_qa"):
        if results and all(key in r for r in results):
            out[key] = qa_metrics([q for r in results for q in r[key]])
    return out


def _merge(results: list[dict], key: str) -> dict:
    out: dict[str, dict] = {}
    for r in results:
        for name, counts in (r["checker"].get(key) or {}).items():
            d = out.setdefault(name, {})
            for k, v in counts.items():
                d[k] = d.get(k, 0) + v
    return dict(sorted(out.items()))


COMPARED = ("recall@1", "recall@5", "mrr", "key_value_accuracy", "refusal_accuracy")


def compare(o: dict) -> dict:
    """System ÷ baseline for each shared metric, from this one run."""
    sys_, base = o.get("qa") or {}, o.get("baseline_qa") or {}
    out = {m: {"system": sys_.get(m), "baseline": base.get(m), "ratio": improvement(sys_.get(m), base.get(m))}
           for m in COMPARED}
    for t in sorted(set(sys_.get("key_value_accuracy_by_type", {})) | set(base.get("key_value_accuracy_by_type", {}))):
        a, b = sys_["key_value_accuracy_by_type"].get(t), base["key_value_accuracy_by_type"].get(t)
        out[f"key_value_accuracy[{t}]"] = {"system": a, "baseline": b, "ratio": improvement(a, b)}
    out["ungrounded_figures"] = {"system": sys_.get("ungrounded_figures"), "baseline": base.get("ungrounded_figures"),
                                 "ratio": None}
    return out
