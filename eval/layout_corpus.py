"""The layout-variant corpus benchmark (issue 11, deliver item 6 / acceptance 1).

    python -m eval.layout_corpus --families all --n 20 --formats text,pdf --seed 7 [--out DIR] [--jobs 2]

For every family and format: n fresh documents generated (eval/generate/layouts.py), rendered, read
with `indexing.read.read_bytes`, and compared with the generator's own truth (layout_compare). Prints
per family × format: standard tables found / typed, key figures right, documents whose model equals the
source's (every table typed, units, codes and cells equal), sections recognised; then every distinct
failure with one line each (how many documents show it). `--out` also writes the documents.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional

from eval.generate.layouts import resolve_families


def render(family: str, index: int, seed: int, fmt: str):
    """(LayoutDoc, bytes, file name) for one document in one format."""
    from eval.generate.layout_doc import build_layout_doc

    doc = build_layout_doc(family, index, seed)
    if fmt == "text":
        from eval.generate.layout_text import render_layout_text

        return doc, render_layout_text(doc).encode("utf-8"), f"{doc.name}.txt"
    from eval.generate.layout_pdf import render_layout_pdf

    return doc, render_layout_pdf(doc), f"{doc.name}.pdf"


def run_one(family: str, index: int, seed: int, fmt: str, out: Optional[str] = None) -> dict:
    from eval.generate.layout_compare import compare
    from eval.generate.layout_doc import truth
    from indexing.read import read_bytes

    doc, data, name = render(family, index, seed, fmt)
    if out:
        Path(out, name).write_bytes(data)
    try:
        read = read_bytes(data, name)
    except Exception as exc:  # a reader crash is a result too
        return {"family": family, "fmt": fmt, "name": name, "error": f"{type(exc).__name__}: {exc}"}
    c = compare(read, truth(doc))
    return {"family": family, "fmt": fmt, "name": name, "c": c}


_NUM = re.compile(r"\d+(?:\.\d+)?")
_ID = re.compile(r"\bt\d+\b")


_CUT = ("key figures wrong", "sections not recognised", "rows not found", "codes differ", "cell(s) differ", "columns not found", "unit read as", "typed", "not found",
        "not recognised", ": read")


def failure_class(line: str) -> str:
    """A failure line cut after what went wrong (no document-specific codes, names or numbers), to count
    the documents that show each class."""
    line = _ID.sub("t#", line)
    for mark in _CUT:
        k = line.find(mark)
        if k >= 0:
            line = line[: k + len(mark)]
            break
    return _NUM.sub("#", line)


def _job(args):
    return run_one(*args)


def corpus_choice(ap: argparse.ArgumentParser, args) -> tuple[list, list[str]]:
    """The families and formats a corpus command was asked for (its output folder made): shared by
    this runner and eval.checker_corpus."""
    families = resolve_families(args.families)
    formats = [f for f in args.formats.split(",") if f]
    if set(formats) - {"text", "pdf"}:
        ap.error("formats are text,pdf")
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    return families, formats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.layout_corpus", description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="all")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--formats", default="text,pdf")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=None, help="also write the rendered documents here")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    families, formats = corpus_choice(ap, args)
    jobs = [(f, i, args.seed, fmt, args.out) for f in families for fmt in formats for i in range(args.n)]
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            results = list(ex.map(_job, jobs, chunksize=4))
    else:
        results = [_job(j) for j in jobs]
    took = time.perf_counter() - start
    print(report(results, families, formats, args))
    print(f"\n{len(results)} documents in {took:.0f}s", file=sys.stderr)
    return 0


def report(results: list[dict], families: list[str], formats: list[str], args) -> str:
    groups = defaultdict(list)
    for r in results:
        groups[(r["family"], r["fmt"])].append(r)
    head = (f"layout corpus: seed {args.seed}, {args.n} documents per family and format\n\n"
            f"{'family':<18} {'fmt':<4} {'docs':>4} {'tables found':>13} {'typed':>11} {'key figures':>13} "
            f"{'model equal':>11} {'tables equal':>13} {'sections':>11}")
    lines, fail_lines, totals = [head, "-" * len(head.splitlines()[-1])], [], Counter()
    for fam in families:
        for fmt in formats:
            rs = groups[(fam, fmt)]
            cs = [r["c"] for r in rs if "c" in r]
            s = Counter()
            for c in cs:
                s.update(tt=c.tables_total, tf=c.tables_found, ty=c.tables_typed, kt=c.kf_total, kr=c.kf_right,
                         me=int(c.model_equal), te=c.tables_equal, st=c.sections_total, sf=c.sections_found)
            s["docs"], s["err"] = len(rs), len(rs) - len(cs)
            totals.update(s)
            lines.append(_line(fam, fmt, s))
            classes = Counter()
            for r in rs:
                if "error" in r:
                    classes[f"[read error] {r['error'][:160]}"] += 1
                    continue
                seen = set()
                for aspect, fl in r["c"].failures.items():
                    for f in fl:
                        k = f"[{aspect}] {failure_class(f)}"
                        if k not in seen:
                            seen.add(k)
                            classes[k] += 1
                            _EXAMPLES.setdefault((fam, fmt, k), f"{r['name']}: {f[:400]}")
            for k, n in sorted(classes.items(), key=lambda x: -x[1]):
                fail_lines.append(f"{fam} {fmt} ({n}/{len(rs)} docs) {_EXAMPLES[(fam, fmt, k)][:400]}")
    lines.append("-" * len(head.splitlines()[-1]))
    lines.append(_line("all", "", totals))
    out = "\n".join(lines)
    out += "\n\nfailures (one line per class: family format (documents) example):\n"
    out += "\n".join(fail_lines) if fail_lines else "none"
    return out


_EXAMPLES: dict = {}


def _line(fam: str, fmt: str, s: Counter) -> str:
    def frac(a, b):
        return f"{s[a]}/{s[b]}"
    err = f"  ({s['err']} read errors)" if s["err"] else ""
    return (f"{fam:<18} {fmt:<4} {s['docs']:>4} {frac('tf', 'tt'):>13} {frac('ty', 'tt'):>11} {frac('kr', 'kt'):>13} "
            f"{s['me']:>6}/{s['docs']:<4} {frac('te', 'tt'):>13} {frac('sf', 'st'):>11}{err}")


if __name__ == "__main__":
    raise SystemExit(main())
