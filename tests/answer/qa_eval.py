"""Scoring of answers against the gold qa of ../shared/labels (used by the acceptance tests and
runnable by hand: `.venv/bin/python -m tests.answer.qa_eval` prints the rates per question type)."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from eval.questions.score import DECLINE_RE, key_value_present  # noqa: F401 - one scorer for both corpora

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def load_qa(labels_dir: Path, seeds_dir: Path) -> list[tuple[Path, dict]]:
    """(seed path, qa entry) for every label file whose document is among the seeds."""
    out = []
    for f in sorted(labels_dir.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"), parse_float=Decimal)  # keep "0.0" as printed
        seed = seeds_dir / data["doc"]
        if seed.exists():
            out += [(seed, q) for q in data["qa"]]
    return out


def quotes_reason(answer: str, evidence_quote: str, min_len: int = 10) -> bool:
    """The answer quotes the document's reason: it shares a run of ≥ min_len characters with the gold
    evidence quote (whitespace ignored), or holds the whole quote when it is shorter."""
    a = re.sub(r"\s+", "", answer)
    q = re.sub(r"\s+", "", evidence_quote)
    need = min(min_len, len(q))
    return any(q[i : i + need] in a for i in range(0, len(q) - need + 1))


def score(results: list[tuple[dict, str, bool]]) -> dict:
    """results: (qa, answer text, answerable flag) → per type: n, ok, rate."""
    per = defaultdict(lambda: [0, 0])
    for q, text, answerable in results:
        t = q["type"]
        if t == "unanswerable":
            ok = (not answerable) or bool(DECLINE_RE.search(text))
        else:
            ok = answerable and all(key_value_present(text, v) for v in q["key_values"])
            if t == "why":
                ok = ok and quotes_reason(text, q["evidence_quote"])
        per[t][0] += 1
        per[t][1] += int(ok)
    return {t: {"n": n, "ok": k, "rate": round(k / n, 3)} for t, (n, k) in sorted(per.items())}


def main() -> int:
    from service.chain import QAService

    qa = load_qa(SHARED / "labels", SHARED / "seeds")
    services: dict[Path, QAService] = {}
    results = []
    verbose = "-v" in sys.argv
    for seed, q in qa:
        svc = services.setdefault(seed, QAService([seed]))
        r = svc.ask(q["question"])
        results.append((q, r.answer, r.answerable))
        if verbose:
            missing = [str(v) for v in q["key_values"] if not key_value_present(r.answer, v)]
            print(f"--- {seed.name[:3]} {q['id']} {q['type']} missing={missing}\nQ: {q['question']}\n{r.answer}\n")
    rates = score(results)
    answerable = [(q, t, a) for q, t, a in results if q["type"] != "unanswerable"]
    s = score([({**q, "type": "all answerable"}, t, a) for q, t, a in answerable])
    for t, v in {**rates, **s}.items():
        print(f"{t:16} {v['ok']:3}/{v['n']:<3} {v['rate']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
