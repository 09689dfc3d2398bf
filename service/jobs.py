"""Uploads, ingestion jobs and findings reports: the service's own state in the data folder.

Documents, chunks and figures live in the index (indexing.ingest.Index); this module keeps what
only the service needs:
    uploads/<sha256>.<pdf|txt>   the bytes as uploaded (named by content hash, never by user input)
    findings/<sha256>.json       the checker's report for the document
    jobs.db                      SQLite: one row per ingestion job
Files are written atomically (temp file + rename). A job interrupted by a restart is picked up
again on start: its upload is on disk and ingestion is idempotent.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, source TEXT NOT NULL, suffix TEXT NOT NULL,
    status TEXT NOT NULL, stage TEXT, error_code TEXT, error_zh TEXT, error_en TEXT,
    created REAL NOT NULL, updated REAL NOT NULL
);
"""
_COLUMNS = "id, doc_id, source, suffix, status, stage, error_code, error_zh, error_en, created, updated, note"
JOB_STATES = ("queued", "running", "done", "failed")


@dataclass
class Job:
    id: str
    doc_id: str
    source: str
    suffix: str
    status: str
    stage: Optional[str] = None
    error: Optional[dict] = None
    created: float = 0.0
    updated: float = 0.0
    note: Optional[dict] = None  # e.g. the disclosure it replaces or stands beside (duplicates)

    def to_dict(self) -> dict:
        return {
            "job_id": self.id,
            "document_id": self.doc_id,
            "source": self.source,
            "status": self.status,
            "stage": self.stage,
            "error": self.error,
            "created": self.created,
            "updated": self.updated,
            "duplicate": self.note.get("duplicate") if self.note else None,
        }


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class JobStore:
    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir).resolve()
        for sub in ("uploads", "findings"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
            for tmp in (self.root / sub).glob(".*.tmp"):  # half-written files of a crashed write
                tmp.unlink(missing_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.root / "jobs.db", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        try:  # a data folder from before duplicates were recorded
            self._db.execute("ALTER TABLE jobs ADD COLUMN note TEXT")
        except sqlite3.OperationalError:
            pass

    def _inside(self, sub: str, name: str) -> Path:
        path = (self.root / sub / name).resolve()
        if path.parent != self.root / sub:  # defence in depth: names are hex digests
            raise ValueError("path escapes the data folder")
        return path

    # -- uploads ------------------------------------------------------------------------------

    def upload_path(self, doc_id: str, suffix: str) -> Path:
        return self._inside("uploads", f"{doc_id}{suffix}")

    def upload_paths(self) -> list[Path]:
        return sorted(p for p in (self.root / "uploads").iterdir() if not p.name.startswith("."))

    # -- jobs ---------------------------------------------------------------------------------

    def add(self, doc_id: str, source: str, suffix: str, data: bytes, note: Optional[dict] = None) -> Job:
        path = self.upload_path(doc_id, suffix)
        if not path.exists():
            atomic_write(path, data)
        now = time.time()
        job = Job(uuid.uuid4().hex, doc_id, source, suffix, "queued", created=now, updated=now, note=note)
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, doc_id, source, suffix, status, created, updated, note) VALUES (?,?,?,?,?,?,?,?)",
                (job.id, doc_id, source, suffix, job.status, now, now, json.dumps(note, ensure_ascii=False) if note else None),
            )
        return job

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]

    def update(self, job_id: str, status: str, stage: Optional[str] = None, error: Optional[dict] = None) -> None:
        assert status in JOB_STATES
        e = error or {}
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status=?, stage=?, error_code=?, error_zh=?, error_en=?, updated=? WHERE id=?",
                (status, stage, e.get("code"), e.get("message_zh"), e.get("message_en"), time.time(), job_id),
            )

    def get(self, job_id: str) -> Optional[Job]:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id=?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def unfinished(self) -> list[Job]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE status IN ('queued', 'running') ORDER BY created"
        ).fetchall()
        return [self._job(r) for r in rows]

    @staticmethod
    def _job(row) -> Job:
        error = {"code": row[6], "message_zh": row[7], "message_en": row[8]} if row[6] else None
        return Job(row[0], row[1], row[2], row[3], row[4], row[5], error, row[9], row[10],
                   json.loads(row[11]) if row[11] else None)

    # -- findings -----------------------------------------------------------------------------

    def save_findings(self, doc_id: str, report_json: str) -> None:
        atomic_write(self._inside("findings", f"{doc_id}.json"), report_json.encode("utf-8"))

    def findings_json(self, doc_id: str) -> Optional[str]:
        path = self._inside("findings", f"{doc_id}.json")
        return path.read_text("utf-8") if path.exists() else None

    def forget(self, doc_id: str) -> None:
        """Remove the upload and findings of a deleted document (the index removes the rest)."""
        self._inside("findings", f"{doc_id}.json").unlink(missing_ok=True)
        for path in (self.root / "uploads").glob(f"{doc_id}.*"):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._db.close()
