"""The checker on every layout family (issue 16, acceptance 2): injected errors and clean documents.

    python -m eval.checker_corpus --seed 3 --families all --n 10 --clean 4 --formats text,pdf --errors 2 [--jobs 2]
        [--json OUT] [--out DIR]

For every family (eval/generate/layouts.py) and format: `n` documents with `errors` injected errors each
(eval/generate/inject_layout.py) and `clean` documents with none, rendered, read (`indexing.read.read_bytes`)
and checked. Injected errors are scored as in eval/generated.py (matching: eval/matching.py): recall per
family and per kind, precision over all flags (errors and warnings). Clean documents: alarms (errors and
warnings) per 10 documents and errors, every one listed. Targets: recall and precision ≥ 0.97 over ≥ 500
injected errors; ≤ 1 alarm per 10 clean documents and no error. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional

from eval.layout_corpus import corpus_choice

TARGET_RECALL = TARGET_PRECISION = 0.97
TARGET_CLEAN_ALARMS_PER_10 = 1.0


def run_one(family: str, fmt: str, index: int, seed: int, errors: int, out: Optional[str] = None) -> dict:
    """One document generated, read and checked; the scored result (picklable)."""
    from checking.check import run_checks
    from eval.generate.inject_layout import build_injected_layout, render
    from eval.generate.labels import build_label, dumps
    from eval.generated import score_document
    from eval.labels import parse_label
    from indexing.read import read_bytes

    doc = build_injected_layout(family, index, seed, errors)
    name = f"{doc.name}{'_clean' if not errors else ''}.{'txt' if fmt == 'text' else 'pdf'}"
    data = render(doc, fmt)
    label_data = build_label(doc, {fmt: name})
    if out:
        Path(out, name).write_bytes(data)
        Path(out, Path(name).stem + ".json").write_text(dumps(label_data), encoding="utf-8")
    base = {"family": family, "fmt": fmt, "name": name, "clean": not errors}
    t0 = time.perf_counter()
    try:
        report, _ = run_checks(read_bytes(data, name))
    except Exception as exc:  # noqa: BLE001 - a crash is a result too
        return {**base, "crash": f"{type(exc).__name__}: {exc}"}
    label = parse_label(Path(name), label_data, [])
    alarms = [f"{f.severity.value} {f.code}: {f.message[:140]}" for f in report.findings
              if f.severity.value in ("error", "warning")]
    return {**base, "scored": score_document(label, report), "seconds": time.perf_counter() - t0,
            "alarms": alarms, "errors": sum(a.startswith("error") for a in alarms)}


def _job(args):
    return run_one(*args)


def summarise(results: list[dict]) -> dict:
    from eval.generated import Tally

    by_group: dict[tuple[str, str], Tally] = defaultdict(Tally)
    overall = Tally()
    clean = {"documents": 0, "alarms": 0, "errors": 0, "examples": []}
    crashes = []
    for r in results:
        if "crash" in r:
            crashes.append(f"{r['name']}: {r['crash'][:160]}")
            continue
        if r["clean"]:
            clean["documents"] += 1
            clean["alarms"] += len(r["alarms"])
            clean["errors"] += r["errors"]
            clean["examples"] += [f"{r['name']}: {a}" for a in r["alarms"]]
            continue
        by_group[(r["family"], r["fmt"])].add(r["scored"], r["seconds"])
        overall.add(r["scored"], r["seconds"])
    clean["alarms_per_10_docs"] = round(10 * clean["alarms"] / clean["documents"], 2) if clean["documents"] else None
    groups = {f"{fam} {fmt}": {k: v for k, v in t.summary().items() if k in ("injected", "detected", "recall", "flags",
                                                                            "tp_flags", "precision", "false_errors")}
              for (fam, fmt), t in sorted(by_group.items())}
    return {"injected": overall.summary(), "families": groups, "clean": clean, "crashes": crashes}


def met(s: dict) -> bool:
    inj, clean = s["injected"], s["clean"]
    return (inj["injected"] >= 500 and (inj["recall"] or 0) >= TARGET_RECALL and (inj["precision"] or 0) >= TARGET_PRECISION
            and clean["documents"] >= 100 and clean["errors"] == 0
            and (clean["alarms_per_10_docs"] or 0) <= TARGET_CLEAN_ALARMS_PER_10 and not s["crashes"])


def text_report(s: dict) -> str:
    inj, clean = s["injected"], s["clean"]
    lines = [f"{'family format':<28} {'injected':>8} {'found':>6} {'recall':>7} {'flags':>6} {'precision':>9}"]
    for g, v in s["families"].items():
        lines.append(f"{g:<28} {v['injected']:>8} {v['detected']:>6} {v['recall'] or 0:>7.3f} {v['flags']:>6} "
                     f"{v['precision'] if v['precision'] is not None else 1:>9.3f}")
    lines.append(f"{'all':<28} {inj['injected']:>8} {inj['detected']:>6} {inj['recall'] or 0:>7.3f} {inj['flags']:>6} "
                 f"{inj['precision'] if inj['precision'] is not None else 1:>9.3f}   false errors: {inj['false_errors']}")
    lines.append("\nper kind: " + ", ".join(f"{k} {v['detected']}/{v['injected']}" for k, v in inj["per_kind"].items()))
    for k, v in inj["per_kind"].items():
        for m in v["missed_examples"]:
            lines.append(f"  missed {k}: {m[:160]}")
    for f in inj["false_flag_examples"]:
        lines.append(f"  false flag: {f}")
    lines.append(f"\nclean documents: {clean['documents']}, alarms {clean['alarms']} "
                 f"({clean['alarms_per_10_docs']} per 10 documents), errors {clean['errors']}")
    lines += [f"  {e[:200]}" for e in clean["examples"][:30]]
    lines += [f"crash: {c}" for c in s["crashes"]]
    return "\n".join(lines)



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.checker_corpus", description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="all")
    ap.add_argument("--n", type=int, default=10, help="documents with injected errors per family and format")
    ap.add_argument("--clean", type=int, default=4, help="clean documents per family and format")
    ap.add_argument("--errors", type=int, default=2, help="injected errors per document")
    ap.add_argument("--formats", default="text,pdf")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the summary here")
    ap.add_argument("--out", help="also write every document and its label here")
    args = ap.parse_args(argv)
    families, formats = corpus_choice(ap, args)
    # clean documents use indexes after the injected ones: other budgets, not the same ones unbroken
    jobs = [(fam, fmt, i, args.seed, args.errors if i < args.n else 0, args.out)
            for fam in families for fmt in formats for i in range(args.n + args.clean)]
    t0 = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            results = list(ex.map(_job, jobs, chunksize=2))
    else:
        results = [_job(j) for j in jobs]
    s = summarise(results)
    s["seconds"] = round(time.perf_counter() - t0, 1)
    print(text_report(s))
    print(f"\n{len(results)} documents in {s['seconds']:.0f}s; targets {'met' if met(s) else 'NOT met'}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(s, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0 if met(s) else 1


if __name__ == "__main__":
    raise SystemExit(main())
