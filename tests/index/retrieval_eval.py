"""Retrieval quality measurement shared by the acceptance test, the held-out check and ad-hoc runs.

For every answerable question of a label file (schema ../shared/labels/SCHEMA.md; the generator
writes the same schema), search the question's own document (metadata filter: the user asks about
one department) and find the rank of the first hit that holds the evidence.

"Evidence in a hit" (unchanged from the first acceptance test):
  normalise both texts: drop whitespace and all punctuation/symbols (，。：；、|=/“”**…), drop the
  thousands separators in numbers, lower-case; then a hit holds the evidence when
  (Q) the normalised evidence_quote is a substring of the normalised hit text, or
  (K) the hit prints at least half (and ≥ 1) of the question's *distinctive* key values: values
      that are not 0, not whole numbers below 10 and not years; "prints" means a number in the
      hit equal as a Decimal (646.8 == 646.80), found by indexing.numbers.find_numbers.
  Computed key values (e.g. a share the gold answer worked out) are rarely printed, which is why
  K asks for half, not all. Recall is also reported for Q alone, the stricter definition.
  Change (2026-11): a hit whose text says its unit is 元 (单位：元 / （元）) also "prints" each of its
  numbers in 万元, rounded and truncated to 2 decimals: Shanghai-style tables are in 元 while the
  gold key values are in 万元, so the earlier rule could never see a 元 table as evidence
  (1,239,198.00 元 is the 123.92 万元 of the answer). UNIT_AWARE=False gives the old rule.

Ad hoc: .venv/bin/python tests/index/retrieval_eval.py --data DIR DOCS_DIR LABELS_DIR
(also split by the documents' kind, 预算 / 决算: `by_kind`).
"""

from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Optional

MODES = ("hybrid", "dense", "bm25")
K = 5
DEPTH = 20  # rank searched for MRR

EVIDENCE_DEFINITION = (
    "evidence = quote substring (Q) or ≥half of distinctive key values printed (K; numbers of a 元 table"
    " also count in 万元, rounded or truncated to 2 decimals), after dropping spaces/punctuation/thousands separators"
)

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)  # whitespace, punctuation, symbols (CJK stays: it is \w)


def normalise(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text or "")
    text = re.sub(r"(?<=\d)\.(?=\d)", "<DOT>", text)  # keep decimal points: 5.03 is not 503
    return _DROP.sub("", text).replace("DOT", ".").replace("<", "").replace(">", "").lower()


def distinctive(values) -> list[Decimal]:
    out = []
    for v in values or []:
        d = Decimal(str(v))
        if d == 0 or (d == d.to_integral_value() and abs(d) < 10) or (d == d.to_integral_value() and 1990 <= d <= 2100):
            continue
        out.append(d)
    return out


UNIT_AWARE = True
_YUAN = re.compile(r"单位[：:]\s*元|[（(]元[）)]")
_CENT = Decimal("0.01")


def printed_values(text: str, unit_aware: Optional[bool] = None) -> set[Decimal]:
    from decimal import ROUND_DOWN, ROUND_HALF_UP

    from indexing.numbers import find_numbers

    values = {n.value.normalize() for n in find_numbers(re.sub(r"(?<=\d),(?=\d{3})", "", text))}
    if (UNIT_AWARE if unit_aware is None else unit_aware) and _YUAN.search(text or ""):
        for v in list(values):
            wan = v / 10000
            values |= {wan.quantize(_CENT, rounding=ROUND_HALF_UP).normalize(),
                       wan.quantize(_CENT, rounding=ROUND_DOWN).normalize()}
    return values


def evidence_in(hit_text: str, qa: dict) -> tuple[bool, bool]:
    """(quote matched, key values matched)."""
    quote = normalise(qa.get("evidence_quote") or "")
    q = bool(quote) and quote in normalise(hit_text)
    keys = distinctive(qa.get("key_values"))
    found = printed_values(hit_text)
    k = bool(keys) and sum(1 for v in keys if v.normalize() in found) >= max(1, math.ceil(len(keys) / 2))
    return q, k


def load_questions(labels_dir: Path, doc_ids: dict[str, str]) -> list[tuple[str, dict]]:
    """(doc id, qa) for every answerable question of a labelled document that was ingested."""
    out = []
    for label_file in sorted(Path(labels_dir).glob("*.json")):
        label = json.loads(label_file.read_text())
        if label.get("doc") not in doc_ids:
            continue  # labels of PDFs: not part of this corpus
        out += [(doc_ids[label["doc"]], qa) for qa in label["qa"] if qa["type"] != "unanswerable"]
    return out


def metrics(ranks: list) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "r1": sum(1 for r in ranks if r == 1) / n,
        "r5": sum(1 for r in ranks if r is not None and r <= K) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
    }


def evaluate(index, questions: list[tuple[str, dict]], modes: Iterable[str] = MODES) -> tuple[dict, list]:
    """({mode: {"any": metrics, "quote": metrics, "ranks": [...]}} , hybrid misses beyond K)."""
    report, misses = {}, []
    for mode in modes:
        ranks_any, ranks_quote = [], []
        for doc_id, qa in questions:
            hits = index.search(qa["question"], k=DEPTH, mode=mode, doc_id=doc_id)
            r_any = r_quote = None
            for rank, h in enumerate(hits, 1):
                q, k = evidence_in(h.text, qa)
                if r_quote is None and q:
                    r_quote = rank
                if r_any is None and (q or k):
                    r_any = rank
            ranks_any.append(r_any)
            ranks_quote.append(r_quote)
            if mode == "hybrid" and (r_any is None or r_any > K):
                misses.append((qa["id"], qa["type"], qa["question"], (qa.get("evidence_quote") or "")[:60], r_any))
        report[mode] = {"any": metrics(ranks_any), "quote": metrics(ranks_quote), "ranks": ranks_any}
    return report, misses


def by_kind(index, questions: list[tuple[str, dict]], report: dict, mode: str = "hybrid") -> dict[str, dict]:
    """`mode`'s metrics split by the kind of the question's document (预算 / 决算): final accounts
    print 年初预算 beside 决算 and tables of their own, and must be found as well as budgets."""
    kinds = {d.doc_id: d.kind or "?" for d in index.documents()}
    ranks: dict[str, list] = {}
    for (doc_id, _qa), rank in zip(questions, report[mode]["ranks"]):
        ranks.setdefault(kinds.get(doc_id, "?"), []).append(rank)
    return {kind: {**metrics(r), "n": len(r), "in_top5": sum(1 for x in r if x is not None and x <= K)}
            for kind, r in sorted(ranks.items())}


def format_by_kind(split: dict[str, dict]) -> str:
    return "\n".join(f"  {kind}: evidence in top {K} for {m['in_top5']}/{m['n']} (R@5 {m['r5']:.3f}, "
                     f"MRR {m['mrr']:.3f})" for kind, m in split.items())


def format_report(title: str, report: dict, misses: list, n_questions: int, n_docs: int) -> str:
    lines = [f"\n== {title}: {n_questions} answerable questions over {n_docs} documents, search filtered to the"
             f" question's document; {EVIDENCE_DEFINITION}",
             f"{'mode':<8}{'R@1':>7}{'R@5':>7}{'MRR@20':>8}   | quote only:{'R@1':>6}{'R@5':>7}{'MRR':>7}"]
    for mode, m in report.items():
        a, q = m["any"], m["quote"]
        lines.append(f"{mode:<8}{a['r1']:>7.3f}{a['r5']:>7.3f}{a['mrr']:>8.3f}   |"
                     f"            {q['r1']:>6.3f}{q['r5']:>7.3f}{q['mrr']:>7.3f}")
    for m in misses:
        lines.append("  hybrid miss (rank {4}): {0} [{1}] {2} | evidence: {3}".format(*m))
    return "\n".join(lines)


def ingest_corpus(index, docs_dir: Path) -> dict[str, str]:
    results = index.ingest_many([docs_dir], progress=False)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError(f"could not read: {failed}")
    return {r.source: r.doc_id for r in results}


def main(argv: Optional[list[str]] = None) -> int:
    import argparse
    import tempfile

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    from indexing.ingest import Index
    from indexing.settings import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("docs")
    ap.add_argument("labels")
    ap.add_argument("--data", help="index folder (default: a temp folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    data = Path(args.data or tempfile.mkdtemp(prefix="bq_eval_"))
    index = Index(Settings(data_dir=data))
    doc_ids = ingest_corpus(index, Path(args.docs))
    qs = load_questions(Path(args.labels), doc_ids)
    report, misses = evaluate(index, qs)
    split = by_kind(index, qs, report)
    if args.json:
        print(json.dumps({**{m: {"any": r["any"], "quote": r["quote"]} for m, r in report.items()}, "by_kind": split},
                         ensure_ascii=False))
    print(format_report(args.docs, report, misses, len(qs), len(doc_ids)))
    print(format_by_kind(split))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
