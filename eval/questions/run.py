"""Ask the generated question corpus and score it (the answering benchmark; issue 12, deliver 6).

    python -m eval.questions --families all --docs 4 --per-doc 20 --seed 23 [--formats text,pdf] [-v]

For every family: `--docs` fresh documents (eval/generate/layout_doc.py, seed `--seed`), rendered
and read back by the real reader, held in one in-memory service per family (service/chain.QAService);
each question is asked as a portal asks, scoped to its own document (doc_ids). Scored:
- key-value accuracy: answerable questions whose every truth value is printed in the answer
  (tests/answer/qa_eval.key_value_present: same or more decimals, within the truth's rounding);
- refusals: unanswerable questions declined (answerable=False, "文件未说明…");
- wrong arithmetic or unit: answers whose shown computations the grounding guard refutes (a wrong
  result or amounts in different units), plus answers whose figure equals the truth only after a
  factor of 10,000 or 100,000,000 (万元 read as 元 or 亿元);
- ungrounded: answers with a number the guard cannot trace to the citations.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict

from eval.questions.score import DECLINE_RE, key_value_present, unit_slips


def build(families: list[str], docs: int, per_doc: int, seed: int, fmt: str = "text"):
    """[(family, Document, [Question])] — documents read by the real reader."""
    from eval.generate.layout_doc import build_layout_doc
    from eval.layout_corpus import render
    from eval.questions.corpus import questions_for
    from indexing.read import read_bytes

    out = []
    for fam in families:
        for i in range(docs):
            lay, data, name = render(fam, i, seed, fmt)
            doc = read_bytes(data, name)
            rng = random.Random(f"questions:{seed}:{fam}:{i}")
            out.append((fam, doc, questions_for(lay.budget, name, fam, rng, per_doc)))
    return out


def ask_all(corpus, verbose: bool = False) -> list[dict]:
    from eval.qa_eval import citations_as_evidence
    from service import grounding
    from service.chain import QAService

    rows = []
    by_family = defaultdict(list)
    for fam, doc, qs in corpus:
        by_family[fam].append((doc, qs))
    for fam, entries in by_family.items():
        svc = QAService([d for d, _ in entries])
        for doc, qs in entries:
            for q in qs:
                t0 = time.perf_counter()
                r = svc.ask(q.question, doc_ids=[doc.id])
                ms = (time.perf_counter() - t0) * 1000
                g = grounding.check(r.answer, citations_as_evidence(r, doc), q.question)
                row = {"id": q.id, "family": fam, "template": q.template, "kind": q.kind, "question": q.question,
                       "answerable": q.answerable, "ms": ms, "declined": (not r.answerable) or bool(DECLINE_RE.search(r.answer)),
                       "kv_ok": q.answerable and r.answerable and all(key_value_present(r.answer, v) for v in q.key_values),
                       "refuted": g.refuted, "ungrounded": [n.raw for n in g.ungrounded],
                       "unit_slip": unit_slips(r.answer, q.key_values, q.unit) if q.answerable else []}
                rows.append(row)
                if verbose and ((q.answerable and not row["kv_ok"]) or (not q.answerable and not row["declined"])
                                or row["refuted"] or row["unit_slip"] or row["ungrounded"]):
                    print(f"--- {q.id} [{q.template}] want={[str(v) for v in q.key_values]} "
                          f"ungrounded={row['ungrounded']} refuted={row['refuted']}\nQ: {q.question}\n{r.answer}\n")
    return rows


def summarise(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    per_t = defaultdict(lambda: [0, 0])
    for r in rows:
        per_t[r["template"]][0] += 1
        per_t[r["template"]][1] += int(r["kv_ok"] if r["answerable"] else r["declined"])
    ms = sorted(r["ms"] for r in rows)
    return {
        "questions": len(rows), "families": len({r["family"] for r in rows}), "templates": len(per_t),
        "answerable": len(ans), "key_value_accuracy": _ratio(sum(r["kv_ok"] for r in ans), len(ans)),
        "unanswerable": len(una), "refusal_rate": _ratio(sum(r["declined"] for r in una), len(una)),
        "answerable_declined": sum(r["declined"] for r in ans),
        "wrong_arithmetic_or_unit": sum(bool(r["refuted"] or r["unit_slip"]) for r in rows),
        "ungrounded_answers": sum(bool(r["ungrounded"]) for r in rows),
        "per_family": {f: _ratio(sum(r["kv_ok"] for r in ans if r["family"] == f), sum(1 for r in ans if r["family"] == f))
                       for f in sorted({r["family"] for r in rows})},
        "worst_templates": sorted(((t, f"{k}/{n}") for t, (n, k) in per_t.items() if k < n),
                                  key=lambda x: int(x[1].split("/")[0]) / int(x[1].split("/")[1]))[:12],
        "ask_ms": {"p50": round(ms[len(ms) // 2], 1), "p95": round(ms[int(len(ms) * 0.95)], 1)} if ms else {},
    }


def _ratio(a: int, b: int):
    return round(a / b, 4) if b else None


def main(argv=None) -> int:
    from eval.generate.layouts import resolve_families

    ap = argparse.ArgumentParser(prog="python -m eval.questions", description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="all")
    ap.add_argument("--docs", type=int, default=4)
    ap.add_argument("--per-doc", type=int, default=20)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--formats", default="text")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    for fmt in args.formats.split(","):
        rows += ask_all(build(resolve_families(args.families), args.docs, args.per_doc, args.seed, fmt), args.verbose)
    s = summarise(rows)
    s["seed"], s["formats"], s["seconds"] = args.seed, args.formats, round(time.perf_counter() - t0)
    print(json.dumps(s, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
