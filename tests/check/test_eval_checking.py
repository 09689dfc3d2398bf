"""`budgetqa eval --read PATH…` reports the checker's alarms and errors per document (issue 16: every real
document, wild/ included), beside the reading metric: here on two generated disclosures, one with an
injected error, over the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from eval.checker_corpus import run_one

ROOT = Path(__file__).resolve().parents[2]


def test_eval_read_reports_alarms_and_errors_per_document(tmp_path):
    broken = run_one("central_numbered", "text", 0, 21, 2, str(tmp_path))
    clean = run_one("unit_plain", "text", 60, 21, 0, str(tmp_path))
    for p in tmp_path.glob("*.json"):
        p.unlink()  # the labels: only the documents are read
    out = subprocess.run([sys.executable, "-m", "service.cli", "eval", "--read", str(tmp_path), "--json", "--jobs", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    checking = json.loads(out.stdout)["checking"]
    docs = {d["document"]: d for d in checking["documents"]}
    assert set(docs) == {broken["name"], clean["name"]}
    assert docs[broken["name"]]["alarms"] == len(broken["alarms"]) >= 1
    assert docs[broken["name"]]["errors"] == broken["errors"]
    assert docs[clean["name"]]["alarms"] == 0 and docs[clean["name"]]["errors"] == 0
    total = checking["total"]
    assert total["documents"] == 2 and total["alarms_per_doc"] == len(broken["alarms"]) / 2
