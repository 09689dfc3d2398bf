"""Generated questions over the real documents of ../shared (seeds, pdfs, a sample of wild), with the
reader's model as truth: each document's key figures (indexing/key_figures.py, exact 万元) that its
standard tables state, asked in the templates' words (templates.py), scoped to the document.

    python -m eval.questions.shared [--wild N] [--cache DIR] [-v]

This measures the answering path on real layouts: that a figure the model holds is the one the answer
prints (in 万元, rounded half-up), and that shares are computed from those figures; it does not measure
the reader (eval/reading.py does).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from eval.questions.labelled import SHARED, read_cached
from eval.questions.score import DECLINE_RE, key_value_present
from eval.questions.templates import WORDINGS

CENT = Decimal("0.01")
# metric -> key of indexing/key_figures.py
KEYS = {"支出总计": "支出总计", "收入总计": "收入总计", "基本支出": "基本支出", "项目支出": "项目支出", "人员经费": "人员经费",
        "公用经费": "公用经费", "三公经费": "三公经费合计", "因公出国(境)费": "因公出国(境)费", "公务接待费": "公务接待费",
        "公务用车购置及运行费": "公务用车购置及运行费", "机关运行经费": "机关运行经费"}
SHARES = [("项目支出", "支出总计"), ("基本支出", "支出总计"), ("人员经费", "基本支出"), ("公用经费", "基本支出")]
VALUE_TEXTS = ["{Y}{A}是多少？", "{A}花了多少钱？", "{Y}{A}预算安排了多少？", "请问{A}一共多少万元？"]
SHARE_TEXTS = ["{A}占{B}的比重是多少？", "{Y}{A}占{B}的比例？"]
UNANSWERABLE = ["{Y}的债务余额是多少？", "局长是谁？", "{Y}职工的平均工资是多少？", "办公楼的建筑面积有多大？"]


def _wan(v: Decimal) -> Decimal:
    """万元 to the cent; zero stays 0 (a blank cell is exactly nothing, "0" prints it exactly)."""
    return v.quantize(CENT, rounding=ROUND_HALF_UP) if v else Decimal(0)


def questions(doc, rng: random.Random) -> list[dict]:
    from indexing.key_figures import key_figure_sources

    src = key_figure_sources(doc)
    y = f"{doc.meta.year}年" if doc.meta.year else ""
    have = {m: v[0] for m, k in KEYS.items() if (v := src.get(k)) and v[1].startswith("table")}
    out = []
    for m, v in have.items():
        text = rng.choice(VALUE_TEXTS).format(Y=rng.choice([y, ""]), A=rng.choice(WORDINGS.get(m, [m])))
        out.append({"question": text, "key_values": [_wan(v)], "answerable": True, "kind": "value"})
    for a, w in SHARES:
        if a in have and w in have and have[w]:
            text = rng.choice(SHARE_TEXTS).format(Y=y, A=rng.choice(WORDINGS[a]), B=rng.choice(WORDINGS[w]))
            out.append({"question": text, "key_values": [_wan(have[a] / have[w] * 100)], "answerable": True,
                        "kind": "share"})
    for text in rng.sample(UNANSWERABLE, 2):
        out.append({"question": text.format(Y=y), "key_values": [], "answerable": False, "kind": "unanswerable"})
    return out


def paths(wild: int, seed: int) -> list[Path]:
    out = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "pdfs").glob("*.pdf"))
    pool = sorted((SHARED / "wild").glob("*.pdf"))
    return out + random.Random(seed).sample(pool, min(wild, len(pool)))


def run(wild: int = 0, seed: int = 5, cache: Path | None = None, verbose: bool = False) -> dict:
    from service.chain import QAService

    docs = []
    for p in paths(wild, seed):
        try:
            docs.append(read_cached(p, cache))
        except Exception as exc:  # a document the reader refuses is the reader's benchmark, not this one
            print(f"skipped {p.name}: {type(exc).__name__}", file=sys.stderr)
    svc = QAService(docs)
    n = ok = n_un = declined = 0
    for doc in docs:
        for q in questions(doc, random.Random(f"{seed}:{doc.id}")):
            r = svc.ask(q["question"], doc_ids=[doc.id])
            said_no = (not r.answerable) or bool(DECLINE_RE.search(r.answer))
            if q["answerable"]:
                n += 1
                good = r.answerable and all(key_value_present(r.answer, v) for v in q["key_values"])
                ok += good
            else:
                n_un += 1
                declined += said_no
                good = said_no
            if verbose and not good:
                print(f"--- {doc.source[:40]} want={[str(v) for v in q['key_values']]}\nQ: {q['question']}\n{r.answer}\n")
    return {"documents": len(docs), "answerable": n, "key_value_accuracy": round(ok / n, 4) if n else None,
            "unanswerable": n_un, "refusal_rate": round(declined / n_un, 4) if n_un else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.questions.shared", description=__doc__.splitlines()[0])
    ap.add_argument("--wild", type=int, default=0, help="also this many documents sampled from ../shared/wild")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not SHARED.exists():
        print("../shared is absent: nothing to ask", file=sys.stderr)
        return 0
    print(json.dumps(run(args.wild, args.seed, args.cache, args.verbose), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
