"""The labelled questions of ../shared through the service over HTTP, every shared document loaded.

Starts `budgetqa serve --load <seeds> <pdfs>` (real uvicorn, a separate process) on a data folder,
then for every labelled question asks `/v1/ask` twice:
  - scoped: with the department selector set to the question's document's department, as the chat
    page's selector or a portal does (the acceptance figures: key-value accuracy, unanswerable
    declined, ungrounded figures), and `/v1/search` with the same department for evidence in the
    top 5;
  - as asked: no selector, every department loaded; the scope comes from the question alone
    (service/scope.py). Reported: how the scope was read (named / ambiguous / absent …), whether a
    named department was the right one, and the key-value accuracy of the questions it named.
Scoring is eval/qa_eval.py's and eval/runner.qa_metrics' (the labelled-set runner's own), imported,
with one correction to evidence (`evidence_label`): a key value the document prints nowhere (a share
or a change the label computed) is not asked of a passage, since no passage can print it.

    .venv/bin/python -m bench.answer_http [--data DIR] [--shared DIR] [--json OUT] [--limit N]

With --data, a second run reuses the index (documents already loaded are skipped at start).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def shared_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("BUDGETQA_SHARED") or ROOT.parent / "shared")


def start_server(data: Path, load: list[Path], port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "BUDGETQA_RATE_LIMIT": "1000000"}
    cmd = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data", str(data),
           "--load", *map(str, load)]
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_serving(proc: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"budgetqa serve exited ({proc.returncode}):\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("budgetqa serve did not start in time")


def run_questions(client: httpx.Client, labels, records: dict[str, dict], docs: dict, limit: int | None) -> dict:
    from eval import qa_eval
    from service.chain import AnswerResult

    scoped_rows, asked_rows, scope_status, right_department = [], [], Counter(), Counter()
    printed = {name: printed_numbers(doc) for name, doc in docs.items()}
    latencies = []
    n = 0
    for label in labels:
        record = records.get(label.doc_path.name)
        if record is None:
            continue
        doc = docs[label.doc_path.name]
        dept = record["department"]
        for q in label.qa:
            if limit is not None and n >= limit:
                break
            n += 1
            row = {"id": f"{label.name}/{q['id']}", "type": q["type"]}
            if q["type"] != "unanswerable" and q.get("evidence_quote"):
                hits = client.post("/v1/search", json={"query": q["question"], "k": 5, "department": dept}).json()["hits"]
                judged = evidence_label(q, printed[label.doc_path.name])
                rel = [qa_eval.relevance(h["text"], judged) for h in hits]
                row["rank"] = next((i for i, r in enumerate(rel, 1) if r), None)
                row["rank_every_key_value"] = next(  # the label's key values as they stand
                    (i for i, h in enumerate(hits, 1) if qa_eval.relevance(h["text"], q)), None)
                row["relevance"] = next((r for r in rel if r), None)
                row["in_department"] = all(h["metadata"].get("department") == dept for h in hits)
            t = time.perf_counter()
            body = client.post("/v1/ask", json={"question": q["question"], "department": dept}).json()
            latencies.append(time.perf_counter() - t)
            scoped_rows.append({**row, **_scores(AnswerResult.model_validate(body), q, doc, qa_eval)})
            asked = AnswerResult.model_validate(
                client.post("/v1/ask", json={"question": q["question"]}).json())
            status = asked.scope.get("status", "?")
            scope_status[status] += 1
            if status == "named":
                right_department[dept in asked.scope.get("departments", [])] += 1
                asked_rows.append({"id": row["id"], "type": q["type"], **_scores(asked, q, doc, qa_eval)})
    return {"scoped": scoped_rows, "asked": asked_rows, "scope_status": dict(scope_status),
            "named_right_department": right_department[True], "named_wrong_department": right_department[False],
            "ask_latency_s": sorted(latencies)}


def printed_numbers(doc) -> list:
    """Every figure the document prints: its narrative, its cells (the cell's text too: a
    performance indicator "≤1213.5万元" is text), its tables' notes."""
    from eval.qa_eval import numbers

    out = [v for s in doc.sections for v in numbers(s.text)]
    for t in doc.tables:
        for text in [*t.notes, t.empty_note or "", t.title]:
            out += numbers(text)
        for r in t.rows:
            for c in r.cells:
                out += numbers(c.text)
    return out


def evidence_label(q: dict, printed: list) -> dict:
    """The label as retrieval is judged on it. Its key values serve the answer, and some of them the
    label computed (a share, a change, a sum the document never prints): a passage cannot print
    those, so asking every key value of one passage makes the values criterion unsatisfiable for
    every computed answer. Judged here: the key values the document prints; where some were dropped
    at least two must remain (a computation starts from two figures; one figure alone shows none of
    it), else only the quote criteria judge. The quote criteria are unchanged."""
    from eval.metrics import values_found

    kv = [v for v in q.get("key_values") or [] if v is not None]
    shown = [v for v, ok in zip(kv, values_found(kv, printed)) if ok]
    if len(shown) == len(kv):
        return q
    return {**q, "key_values": shown if len(shown) >= 2 else []}


def _scores(result, q: dict, doc, qa_eval) -> dict:
    return {"refused": not result.answerable,
            "kv_score": None if q["type"] == "unanswerable" else qa_eval.key_value_score(result.answer, q),
            "ungrounded": qa_eval.ungrounded_count(result.answer, qa_eval.citations_as_evidence(result, doc),
                                                   q["question"])}


def main(argv: list[str] | None = None) -> int:
    from eval.labels import load_labels
    from eval.runner import qa_metrics
    from indexing.read import read_document

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data folder (default: a temporary one); reused by a second run")
    ap.add_argument("--shared", help="the shared corpus (default $BUDGETQA_SHARED or ../shared)")
    ap.add_argument("--limit", type=int, help="at most this many questions (a quick first run)")
    ap.add_argument("--json", metavar="OUT", help="write every row and the summary as JSON")
    ap.add_argument("--start-timeout", type=float, default=3600, help="seconds to load the corpus and start")
    args = ap.parse_args(argv)
    shared = shared_dir(args.shared)
    if not (shared / "labels").is_dir():
        print(f"没有共享语料 / no shared corpus at {shared} (set BUDGETQA_SHARED)", file=sys.stderr)
        return 2
    load = [p for p in (shared / "seeds", shared / "pdfs") if p.is_dir()]
    labels, missing = load_labels(shared / "labels", load)
    docs = {lab.doc_path.name: read_document(lab.doc_path) for lab in labels}
    tmp = None if args.data else tempfile.TemporaryDirectory(prefix="bq-answer-http-")
    data = Path(args.data or tmp.name) / "data"
    data.parent.mkdir(parents=True, exist_ok=True)
    from tests.conftest import free_port  # the one free-port helper

    port, log = free_port(), data.parent / "answer_http_serve.log"
    started = time.perf_counter()
    proc = start_server(data, load, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_serving(proc, url, args.start_timeout, log)
        load_s = time.perf_counter() - started
        with httpx.Client(base_url=url, timeout=300) as client:
            records = {d["source"]: d for d in client.get("/v1/documents").json()["documents"]}
            health = [_timed(lambda: client.get("/v1/health")) for _ in range(20)]
            out = run_questions(client, labels, records, docs, args.limit)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        if tmp is not None:
            tmp.cleanup()
    scoped, asked = qa_metrics(out["scoped"]), qa_metrics(out["asked"]) if out["asked"] else {}
    searched = [r for r in out["scoped"] if "rank" in r]
    summary = {
        "documents": len(records), "labels_without_document": [str(m) for m in missing],
        "questions": len(out["scoped"]), "load_and_start_s": round(load_s, 1),
        "scoped": {**scoped, "evidence_top5_in_department": _ratio(
            sum(1 for r in searched if r["rank"] and r["in_department"]), len(searched)),
            "evidence_top5_every_key_value": _ratio(
                sum(1 for r in searched if r["rank_every_key_value"] and r["in_department"]), len(searched)),
            "evidence_missed": [r["id"] for r in searched if not (r["rank"] and r["in_department"])]},
        "as_asked": {"scope_status": out["scope_status"], "named_right_department": out["named_right_department"],
                     "named_wrong_department": out["named_wrong_department"], **{
                         k: asked.get(k) for k in ("key_value_accuracy", "refusal_accuracy", "false_refusals",
                                                   "ungrounded_figures", "questions")}},
        "ask_p50_ms": _pct_ms(out["ask_latency_s"], 50), "ask_p95_ms": _pct_ms(out["ask_latency_s"], 95),
        "health_p50_ms": _pct_ms(sorted(health), 50),
    }
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, **out}, ensure_ascii=False, indent=1, default=str))
    print_summary(summary)
    return 0


def _timed(call) -> float:
    t = time.perf_counter()
    call()
    return time.perf_counter() - t


def _pct_ms(sorted_s: list[float], p: float):
    if not sorted_s:
        return None
    return round(sorted_s[min(len(sorted_s) - 1, int(round(p / 100 * (len(sorted_s) - 1))))] * 1000, 1)


def _ratio(a: int, b: int):
    return round(a / b, 3) if b else None


def print_summary(s: dict) -> None:
    sc, aa = s["scoped"], s["as_asked"]
    print(f"\n== ../shared labelled questions over HTTP: {s['questions']} questions, {s['documents']} documents loaded "
          f"(load + start {s['load_and_start_s']} s)")
    print("scoped by the department selector (the document's department):")
    print(f"  key-value accuracy      {sc['key_value_accuracy']}")
    print(f"  unanswerable declined   {sc['refusal_accuracy']}   (answerable refused: {sc['false_refusals']})")
    print(f"  evidence in top 5       {sc['recall@5']}   (every hit in the department: {sc['evidence_top5_in_department']})")
    print(f"    (asking a passage for every key value, computed ones too: {sc['evidence_top5_every_key_value']})")
    print(f"    missed: {' '.join(sc['evidence_missed']) or 'none'}")
    print(f"  ungrounded figures      {sc['ungrounded_figures']}")
    for t, v in sc["key_value_accuracy_by_type"].items():
        print(f"    {t:<8} {v}")
    print("as asked (no selector, every department loaded; scope from the question):")
    print(f"  scope read as           {aa['scope_status']}")
    print(f"  named the right department {aa['named_right_department']}, a wrong one {aa['named_wrong_department']}")
    print(f"  of the named: key-value accuracy {aa['key_value_accuracy']}, declined {aa['refusal_accuracy']}, "
          f"ungrounded {aa['ungrounded_figures']}")
    print(f"/v1/ask p50 {s['ask_p50_ms']} ms, p95 {s['ask_p95_ms']} ms (baseline /v1/health p50 {s['health_p50_ms']} ms)")


if __name__ == "__main__":
    sys.exit(main())
