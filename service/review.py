"""Inspectors' decisions on findings: confirmed, dismissed with a reason, or open; who and when.

Stored in `<data>/review.db` (SQLite), keyed by document id (the sha256 of its bytes) and the
finding's identity (checking/decisions.py), so a decision survives the document being uploaded and
checked again. Every change is kept (`history`); the latest per finding is the decision.

`precision_signal()` reads the dismissals back for the evaluation: per rule code, how many findings
inspectors confirmed and how many they dismissed as not a defect.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from checking.decisions import STATUSES, Decision

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    finding TEXT NOT NULL,
    code TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed')),
    reason TEXT,
    who TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_doc ON decisions(doc_id, finding);
"""


class ReviewError(ValueError):
    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


class ReviewStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def decide(self, doc_id: str, finding: str, status: str, reason: Optional[str] = None,
               who: Optional[str] = None, code: Optional[str] = None) -> Decision:
        reason = (reason or "").strip() or None
        if status not in STATUSES:
            raise ReviewError("bad_status", "状态只能是 open（待复核）、confirmed（已确认）或 dismissed（已排除）",
                              "status must be open, confirmed or dismissed")
        if status == "dismissed" and not reason:
            raise ReviewError("reason_required", "排除一条发现时必须写明原因", "A dismissal needs a reason")
        if reason and len(reason) > 1000:
            raise ReviewError("reason_too_long", "原因最多 1000 字", "The reason is limited to 1,000 characters")
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("INSERT INTO decisions (doc_id, finding, code, status, reason, who, at) VALUES (?,?,?,?,?,?,?)",
                             (doc_id, finding, code, status, reason, (who or "").strip()[:100] or None, at))
        return Decision(status, reason, (who or "").strip()[:100] or None, at)

    def decisions(self, doc_id: str) -> dict[str, Decision]:
        """The latest decision per finding of a document."""
        rows = self._db.execute(
            "SELECT finding, status, reason, who, at FROM decisions WHERE doc_id=? ORDER BY id", (doc_id,)).fetchall()
        return {f: Decision(s, r, w, a) for f, s, r, w, a in rows}

    def history(self, doc_id: str, finding: str) -> list[Decision]:
        rows = self._db.execute("SELECT status, reason, who, at FROM decisions WHERE doc_id=? AND finding=? ORDER BY id",
                                (doc_id, finding)).fetchall()
        return [Decision(*r) for r in rows]

    def latest_by_code(self) -> list[tuple[str, str, str]]:
        """(doc_id, code, status) of every finding's latest decision."""
        rows = self._db.execute(
            "SELECT d.doc_id, d.code, d.status FROM decisions d JOIN (SELECT MAX(id) AS id FROM decisions "
            "GROUP BY doc_id, finding) last ON d.id = last.id").fetchall()
        return [tuple(r) for r in rows]

    def close(self) -> None:
        self._db.close()


def precision_signal(data_dir: str | Path) -> dict:
    """Inspectors' verdicts as a precision signal for `budgetqa eval`: per rule code and overall,
    confirmed / dismissed counts and confirmed ÷ (confirmed + dismissed). Open findings do not count.
    An empty dict when no review database exists in `data_dir`."""
    path = Path(data_dir) / "review.db"
    if not path.exists():
        return {}
    store = ReviewStore(path)
    try:
        latest = store.latest_by_code()
    finally:
        store.close()
    by_code: dict[str, dict] = {}
    for _, code, status in latest:
        if status == "open":
            continue
        c = by_code.setdefault(code or "?", {"confirmed": 0, "dismissed": 0})
        c[status] += 1
    total = {"confirmed": sum(c["confirmed"] for c in by_code.values()),
             "dismissed": sum(c["dismissed"] for c in by_code.values())}
    for c in [*by_code.values(), total]:
        n = c["confirmed"] + c["dismissed"]
        c["precision"] = round(c["confirmed"] / n, 4) if n else None
    return {"by_code": by_code, **total, "precision": total["precision"]}
