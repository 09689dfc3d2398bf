"""Reader and checker metrics of one document against its gold label (definitions: eval/matching.py).

Key figures: `indexing.key_figures.key_figures` (万元) against the gold's non-null key_figures,
equal at the coarser printed precision of the two (eval/metrics.agree).
Claim recall: a gold claim with table evidence is *extracted* when a checker claim has an
overlapping quote and an agreeing value, and *aligned* when that claim (or, for a share/change
claim, the amount it refers to) was aligned to a table cell.
Ledger (issue 16): per document, the ledger's totals and its coverage — the share of applicable
checks (all but not_applicable) that reached a verdict (pass or fail) — and alarms/errors counted.
False errors on consistent claims: gold-consistent claims (with table evidence) matched by an error
or warning flag of a contradiction category that matches no gold contradiction or inconsistency.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Optional

from eval.labels import Label
from eval.matching import Flag, gold_targets, match_all
from eval.metrics import agree, agree_any_unit, overlap


def key_figure_scores(label: Label, figures: dict) -> dict:
    rows = {}
    for key, gold in label.key_figures.items():
        if gold is None:
            continue
        got = figures.get(key)
        got = Decimal(got) if isinstance(got, int) else got
        rows[key] = {"gold": str(gold), "system": None if got is None else str(got),
                     "ok": got is not None and agree(got, gold)}
    return {"correct": sum(r["ok"] for r in rows.values()), "total": len(rows), "items": rows}


def claim_scores(label: Label, claims: list, aligned: set[str]) -> dict:
    gold = [c for c in label.claims if c.get("table_evidence") and c.get("value") is not None]
    extracted = aligned_n = 0
    missed = []
    for g in gold:
        hits = [c for c in claims if agree_any_unit(c.value, g["value"]) and overlap(c.quote, g.get("quote") or "")]
        if not hits:
            missed.append(g["id"])
            continue
        extracted += 1
        if any(c.id in aligned or (c.current_id in aligned) or (c.base_id in aligned) for c in hits):
            aligned_n += 1
    return {"gold": len(gold), "extracted": extracted, "aligned": aligned_n, "missed": missed}


def flag_scores(label: Label, flags: list[Flag]) -> dict:
    """Counts for contradiction precision/recall, genuine-inconsistency recall, false errors on
    consistent claims, and the same over all flags (completeness/extraction/editorial included)."""
    t = gold_targets(label)
    completeness = [x for x in t["injected"] if x.kind in ("missing_table", "missing_three_public_reason")]
    core = t["contradiction"] + t["genuine"]
    contra_flags = [f for f in flags if f.is_contradiction]
    per_flag, found = match_all(contra_flags, core)
    n_contra = len(t["contradiction"])
    everything = core + t["editorial"] + completeness
    all_per_flag, all_found = match_all(flags, everything)
    # consistent claims wrongly flagged: hit by a flag that matches no contradiction
    consistent_hit = match_all([f for f, h in zip(contra_flags, per_flag) if not h], t["consistent"])[1]
    return {
        "flags": len(contra_flags),
        "tp_flags": sum(1 for h in per_flag if h),
        "targets": len(core),
        "found": sum(found),
        "contradiction_targets": n_contra,
        "contradiction_found": sum(found[:n_contra]),
        "genuine_targets": len(t["genuine"]),
        "genuine_found": sum(found[n_contra:]),
        "false_errors_on_consistent": sum(consistent_hit),
        "consistent_claims": len(t["consistent"]),
        "all_flags": len(flags),
        "all_tp_flags": sum(1 for h in all_per_flag if h),
        "all_targets": len(everything),
        "all_found": sum(all_found),
        "flags_by_category": dict(Counter(f.category for f in flags)),
        "by_code": {c: {"flags": sum(1 for f in contra_flags if f.code == c),
                        "tp": sum(1 for f, h in zip(contra_flags, per_flag) if f.code == c and h)}
                    for c in sorted({f.code for f in contra_flags})},
        "by_target_kind": _by_kind(label, core, found),
        "unmatched": [f"{f.code}: {f.message[:80]}" for f, h in zip(contra_flags, per_flag) if not h][:20],
        "missed": [x.id for x, ok in zip(core, found) if not ok],
    }


def _by_kind(label: Label, core: list, found: list[bool]) -> dict:
    """Recall per gold item kind: the claim kind (amount, change_pct …) or "table" for inconsistencies."""
    out: dict[str, dict] = {}
    for t, ok in zip(core, found):
        c = label.claim(t.id) if t.kind != "genuine" else None
        kind = (c or {}).get("kind", "table") if t.kind != "genuine" else "table"
        d = out.setdefault(kind, {"targets": 0, "found": 0})
        d["targets"] += 1
        d["found"] += ok
    return out


def ledger_scores(report) -> dict:
    """The ledger's totals, its decided/applicable counts (coverage = decided / applicable), and
    the alarms (error + warning) and errors of the document."""
    totals = report.ledger.totals()["all"] if report.ledger is not None else {}
    applicable = sum(v for k, v in totals.items() if k != "not_applicable")
    return {"totals": totals, "decided": totals.get("pass", 0) + totals.get("fail", 0), "applicable": applicable,
            "alarms": report.alarms(), "errors": sum(1 for f in report.findings if f.severity.value == "error")}


def check_files(paths: list[str], cache: Optional[str] = None) -> dict:
    """Read one disclosure (its files read as one) and check it: the counts per level, every error
    with its pages, the warnings, the ledger's totals and the time. In a worker process: a reader
    crash costs one document. `cache`: a folder keeping each read document as JSON, keyed by the
    files' names, sizes and times (delete it when the reader changes)."""
    import time
    from pathlib import Path

    from checking.check import run_checks
    from indexing.model import Document
    from indexing.read import ReadError
    from indexing.read.multi import read_parts

    ps = [Path(p) for p in paths]
    name = ps[0].name
    t0 = time.perf_counter()
    doc = None
    key = "_".join(f"{p.stem}-{p.stat().st_size}-{int(p.stat().st_mtime)}" for p in ps)[:200]
    cfile = Path(cache) / f"{key}.json" if cache else None
    if cfile is not None and cfile.exists():
        doc = Document.from_json(cfile.read_text(encoding="utf-8"))
    if doc is None:
        try:
            doc = read_parts(ps)
        except ReadError as exc:
            return {"document": name, "error": str(exc), "read_s": time.perf_counter() - t0}
        except Exception as exc:  # noqa: BLE001 - a reader crash costs one document
            return {"document": name, "error": f"{type(exc).__name__}: {exc}", "read_s": time.perf_counter() - t0}
        if cfile is not None:
            cfile.write_text(doc.to_json(), encoding="utf-8")
    read_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    report, _ = run_checks(doc)
    check_s = time.perf_counter() - t1
    counts = Counter({s: 0 for s in ("error", "warning", "hint", "extraction")})
    counts.update("hint" if f.severity.value == "info" else f.severity.value for f in report.findings)
    errors = [{"code": f.code, "message": f.message, "arithmetic": f.arithmetic,
               "pages": sorted({e.location.page for e in f.evidence if e.location.page is not None})}
              for f in report.findings if f.severity.value == "error"]
    return {"document": name, "files": [p.name for p in ps], "kind": doc.meta.kind, "counts": dict(counts),
            "errors": errors, "warnings": [f"{f.code}: {f.message[:100]}" for f in report.findings if f.severity.value == "warning"],
            "ledger": report.ledger.totals() if report.ledger is not None else {}, "read_s": read_s, "check_s": check_s}


def check_many(groups: list[list], jobs: int = 2, cache: Optional[str] = None, progress: bool = True) -> list[dict]:
    """`check_files` for every disclosure in a process pool, sorted by document name."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    results = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = [pool.submit(check_files, [str(p) for p in g], cache) for g in groups]
        for fut in tqdm(as_completed(futs), total=len(futs), desc="check", unit="doc", disable=not progress):
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - a dead worker
                results.append({"document": "?", "error": f"worker: {exc}"})
    return sorted(results, key=lambda r: r["document"])


def alarms_summary(results: list[dict]) -> dict:
    """Alarms (errors + warnings) and errors per document over checked disclosures, with the
    ledger's coverage (decided / applicable) and the median check time."""
    ok = [r for r in results if "counts" in r]
    n = len(ok)
    tot = {s: sum(r["counts"].get(s, 0) for r in ok) for s in ("error", "warning", "hint", "extraction")}
    ledger: Counter = Counter()
    for r in ok:
        ledger.update((r.get("ledger") or {}).get("all", {}))
    decided = ledger.get("pass", 0) + ledger.get("fail", 0)
    applicable = sum(v for k, v in ledger.items() if k != "not_applicable")
    per = lambda k: round(tot[k] / n, 3) if n else None  # noqa: E731
    return {
        "documents": n, "unreadable": len(results) - n,
        "errors_per_doc": per("error"), "alarms_per_doc": round((tot["error"] + tot["warning"]) / n, 3) if n else None,
        "warnings_per_doc": per("warning"), "hints_per_doc": per("hint"), "extraction_per_doc": per("extraction"),
        "documents_with_errors": sum(1 for r in ok if r["counts"].get("error")),
        "ledger": dict(ledger), "coverage": round(decided / applicable, 3) if applicable else None,
        "check_ms_median": round(sorted(r["check_s"] for r in ok)[n // 2] * 1000, 1) if n else None,
    }


def check_paths(paths: list[str], jobs: int = 2) -> dict:
    """`budgetqa eval --read PATH…`: every disclosure among `paths` (files or folders, 北京 pairs read
    as one) checked — alarms (errors + warnings) and errors per document, and the totals."""
    from eval.reading import disclosure_groups

    results = check_many(disclosure_groups(paths), jobs)
    docs = [{"document": r["document"], "alarms": r["counts"]["error"] + r["counts"]["warning"],
             "errors": r["counts"]["error"], "warnings": r["counts"]["warning"], "extraction": r["counts"]["extraction"],
             "error_list": [f"{e['code']} p{e['pages']}: {e['message'][:120]}" for e in r["errors"]]}
            for r in results if "counts" in r]
    refused = [{"document": r["document"], "error": r.get("error", "")} for r in results if "counts" not in r]
    return {"total": alarms_summary(results), "documents": docs, "refused": refused}


def print_checking(checking: dict) -> None:
    print("\n== 核查：每份文件的报警与错误 / checker alarms and errors per document ==")
    for d in checking["documents"]:
        print(f"  {d['document']}: 报警 alarms {d['alarms']}（错误 errors {d['errors']}，警告 warnings {d['warnings']}），"
              f"读取存疑 extraction {d['extraction']}")
        for e in d["error_list"]:
            print(f"      {e}")
    t = checking["total"]
    print(f"  合计 {t['documents']} 份 / documents: errors/doc {t['errors_per_doc']}, alarms/doc {t['alarms_per_doc']}, "
          f"coverage {t['coverage']}")
    for r in checking["refused"]:
        print(f"  无法读取 / refused: {r['document']}: {r['error'][:120]}")
