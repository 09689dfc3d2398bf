"""The SQLite catalogue: which documents are indexed, in which state, and their chunk texts.

One database file (<data>/index/index.sqlite, indexing/settings.py) holds this catalogue and the figures store, so that a
document's row, its chunks and its figures are written in ONE transaction. States:
  pending  → written to SQLite, vectors not yet confirmed in Chroma (invisible to readers)
  ready    → fully indexed (the only state readers see)
  deleting → being removed (invisible); cleaned up on the next open if a crash interrupts.
Chunk texts and jieba tokens live here too: BM25 is rebuilt from them, and they are what a
crash clean-up uses to know which vector ids to remove from Chroma.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from indexing.chunks import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    format TEXT,
    department TEXT,
    region TEXT,
    year INTEGER,
    kind TEXT,
    level TEXT,
    page_count INTEGER,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    n_figures INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'deleting')),
    embedding_model TEXT,
    document_json TEXT,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    source: str
    department: Optional[str]
    region: Optional[str]
    year: Optional[int]
    kind: Optional[str]
    status: str
    n_chunks: int
    n_figures: int
    added_at: float
    level: Optional[str] = None  # 部门 / 单位


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    from indexing import figures_store

    conn.executescript(figures_store.SCHEMA)
    return conn


class transaction:
    """`with transaction(conn):` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def insert_document(conn: sqlite3.Connection, doc, chunks: list[Chunk], tokens: list[list[str]], model: str) -> None:
    m = doc.meta
    conn.execute(
        "INSERT INTO documents (doc_id, source, format, department, region, year, kind, level, page_count,"
        " n_chunks, status, embedding_model, document_json, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,'pending',?,?,?)",
        (doc.id, doc.source, doc.format, m.department, m.region, m.year, m.kind, m.level, doc.page_count,
         len(chunks), model, doc.to_json(), time.time()),
    )
    conn.executemany(
        "INSERT INTO chunks (chunk_id, doc_id, position, text, tokens, metadata) VALUES (?,?,?,?,?,?)",
        [
            (c.id, doc.id, c.metadata["position"], c.text, " ".join(t), json.dumps(c.metadata, ensure_ascii=False))
            for c, t in zip(chunks, tokens)
        ],
    )


def set_status(conn: sqlite3.Connection, doc_id: str, status: str, n_figures: Optional[int] = None) -> None:
    if n_figures is None:
        conn.execute("UPDATE documents SET status=? WHERE doc_id=?", (status, doc_id))
    else:
        conn.execute("UPDATE documents SET status=?, n_figures=? WHERE doc_id=?", (status, n_figures, doc_id))
    bump_generation(conn)


def bump_generation(conn: sqlite3.Connection) -> None:
    """A counter that changes whenever the visible set changes (BM25 rebuilds when it moves)."""
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('generation', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    return int(row[0]) if row else 0


def status_of(conn: sqlite3.Connection, doc_id: str) -> Optional[str]:
    row = conn.execute("SELECT status FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
    return row[0] if row else None


def _record(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        row["doc_id"], row["source"], row["department"], row["region"], row["year"], row["kind"],
        row["status"], row["n_chunks"], row["n_figures"], row["added_at"], row["level"],
    )


def list_documents(conn: sqlite3.Connection, status: Optional[str] = "ready") -> list[DocumentRecord]:
    sql = "SELECT * FROM documents" + (" WHERE status=?" if status else "") + " ORDER BY added_at, doc_id"
    return [_record(r) for r in conn.execute(sql, (status,) if status else ())]


def get_document_json(conn: sqlite3.Connection, doc_id: str) -> Optional[str]:
    row = conn.execute("SELECT document_json FROM documents WHERE doc_id=? AND status='ready'", (doc_id,)).fetchone()
    return row[0] if row else None


def chunk_ids_of(conn: sqlite3.Connection, doc_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY position", (doc_id,))]


def ready_chunks(conn: sqlite3.Connection) -> list[tuple[str, str, Optional[str], Optional[str], list[str]]]:
    """(chunk id, doc id, table type, chunk kind, tokens) of every chunk of a ready document."""
    return [
        (r[0], r[1], r[2], r[3], r[4].split(" ") if r[4] else [])
        for r in conn.execute(
            "SELECT c.chunk_id, c.doc_id, json_extract(c.metadata, '$.table_type'),"
            " json_extract(c.metadata, '$.chunk_kind'), c.tokens FROM chunks c "
            "JOIN documents d ON d.doc_id = c.doc_id WHERE d.status='ready' ORDER BY c.doc_id, c.position"
        )
    ]


def ready_doc_ids(
    conn: sqlite3.Connection,
    *,
    doc_id: Optional[str | list[str]] = None,
    department: Optional[str] = None,
    year: Optional[int] = None,
    kind: Optional[str] = None,
) -> list[str]:
    """Ready documents matching document-level filters; department matches a substring."""
    where, args = ["status='ready'"], []
    if doc_id:
        ids = [doc_id] if isinstance(doc_id, str) else list(doc_id)
        where.append(f"doc_id IN ({','.join('?' * len(ids))})")
        args += ids
    if department:
        where.append("department LIKE ?")
        args.append(f"%{department}%")
    if year is not None:
        where.append("year = ?")
        args.append(int(year))
    if kind:
        where.append("kind = ?")
        args.append(kind)
    return [r[0] for r in conn.execute(f"SELECT doc_id FROM documents WHERE {' AND '.join(where)}", args)]


def get_chunks(conn: sqlite3.Connection, chunk_ids: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    ids = list(chunk_ids)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        q = ",".join("?" * len(part))
        for r in conn.execute(f"SELECT chunk_id, text, metadata FROM chunks WHERE chunk_id IN ({q})", part):
            out[r[0]] = (r[1], json.loads(r[2]))
    return out


def delete_rows(conn: sqlite3.Connection, doc_id: str) -> None:
    """Remove a document's catalogue rows, chunks and figures (call inside a transaction)."""
    from indexing import figures_store

    figures_store.delete_document(conn, doc_id)
    conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
    bump_generation(conn)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(n_chunks),0), COALESCE(SUM(n_figures),0) FROM documents WHERE status='ready'"
    ).fetchone()
    pending = conn.execute("SELECT COUNT(*) FROM documents WHERE status!='ready'").fetchone()[0]
    return {"documents": row[0], "chunks": row[1], "figures": row[2], "not_ready": pending}
