"""The labelled questions of ../shared/labels as a check (never a tuning set), beside the generated
corpus: every labelled document loaded into one in-memory service, each question asked scoped to its
own document (doc_ids, as a portal's document page asks), scored like the generated corpus.

    python -m eval.questions.labelled [--cache DIR] [-v]

Prints key-value accuracy over answerable questions (every gold key value printed), per type, and
how many unanswerable questions were declined. `--cache` keeps the read documents (JSON) between
runs: reading the PDFs is most of the time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from eval.questions.score import DECLINE_RE, key_value_present

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def labelled(shared: Path = SHARED) -> list[tuple[Path, dict]]:
    """(document path, label) for every label whose document is in seeds/ or pdfs/."""
    out = []
    for f in sorted((shared / "labels").glob("*.json")):
        label = json.loads(f.read_text(encoding="utf-8"), parse_float=Decimal)
        for folder in ("seeds", "pdfs"):
            path = shared / folder / label["doc"]
            if path.exists():
                out.append((path, label))
                break
    return out


def read_cached(path: Path, cache: Path | None):
    from indexing.model import Document
    from indexing.read import read_document

    if cache is not None:
        hit = cache / (path.name + ".json")
        if hit.exists():
            return Document.from_json(hit.read_text(encoding="utf-8"))
    doc = read_document(path)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / (path.name + ".json")).write_text(doc.to_json(), encoding="utf-8")
    return doc


def run(shared: Path = SHARED, cache: Path | None = None, verbose: bool = False) -> dict:
    from service.chain import QAService

    pairs = labelled(shared)
    docs = [read_cached(p, cache) for p, _ in pairs]
    svc = QAService(docs)
    per = defaultdict(lambda: [0, 0])
    for doc, (path, label) in zip(docs, pairs):
        for q in label["qa"]:
            r = svc.ask(q["question"], doc_ids=[doc.id])
            declined = (not r.answerable) or bool(DECLINE_RE.search(r.answer))
            if q["type"] == "unanswerable":
                ok = declined
            else:
                ok = r.answerable and all(key_value_present(r.answer, v) for v in q["key_values"])
            per[q["type"]][0] += 1
            per[q["type"]][1] += int(ok)
            if verbose and not ok:
                missing = [str(v) for v in q["key_values"] if not key_value_present(r.answer, v)]
                print(f"--- {path.name[:3]} {q['id']} {q['type']} missing={missing}\nQ: {q['question']}\n{r.answer}\n")
    ans = [(n, k) for t, (n, k) in per.items() if t != "unanswerable"]
    n_ans, k_ans = sum(n for n, _ in ans), sum(k for _, k in ans)
    una = per.get("unanswerable", [0, 0])
    return {"documents": len(docs), "questions": sum(n for n, _ in per.values()),
            "key_value_accuracy": round(k_ans / n_ans, 4) if n_ans else None, "answerable": n_ans,
            "unanswerable": una[0], "declined": una[1],
            "per_type": {t: f"{k}/{n}" for t, (n, k) in sorted(per.items())}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.questions.labelled", description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not (SHARED / "labels").exists():
        print("../shared/labels is absent: nothing to check", file=sys.stderr)
        return 0
    print(json.dumps(run(cache=args.cache, verbose=args.verbose), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
