"""The structured figures store: every printed figure of every indexed document, for exact lookups.

Retrieval finds text; the answerer and the checker need the *number*: "人员经费 in the 基本支出表
of document X". Every table cell figure and every narrative figure is one row here, with its
place (table/row/column or section/offset, page). Values are stored as TEXT Decimal strings
(SQLite has no decimal type; REAL would round) and come back as `Decimal`. Only figures of
documents in state 'ready' are returned.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from indexing.model import Document, TableType, normalise_label

SCHEMA = """
CREATE TABLE IF NOT EXISTS figures (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('table', 'narrative')),
    department TEXT,
    year INTEGER,
    table_id TEXT, table_title TEXT, table_type TEXT,
    unit TEXT,
    row_index INTEGER, row_name TEXT, row_key TEXT, row_code TEXT, is_total INTEGER,
    column_key TEXT,
    section_id TEXT, section_heading TEXT, offset INTEGER, context TEXT,
    value TEXT NOT NULL,
    raw TEXT NOT NULL,
    decimals INTEGER NOT NULL,
    page INTEGER
);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc_id);
CREATE INDEX IF NOT EXISTS figures_row ON figures(row_key);
CREATE INDEX IF NOT EXISTS figures_code ON figures(row_code);
"""
CONTEXT_CHARS = 30  # narrative figures keep this much text on each side: "人员经费支出396.27万元，占"


@dataclass(frozen=True)
class FigureRecord:
    doc_id: str
    origin: str  # table | narrative
    value: Decimal
    raw: str
    decimals: int
    unit: Optional[str]
    page: Optional[int]
    department: Optional[str] = None
    year: Optional[int] = None
    table_id: Optional[str] = None
    table_title: Optional[str] = None
    table_type: Optional[str] = None
    row_index: Optional[int] = None
    row_name: Optional[str] = None
    row_code: Optional[str] = None
    is_total: bool = False
    column: Optional[str] = None
    section_id: Optional[str] = None
    section_heading: Optional[str] = None
    offset: Optional[int] = None
    context: Optional[str] = None


def record_json(f: FigureRecord) -> dict:
    """A figure as JSON: the value as a Decimal string (never a float), its printed text and place."""
    out = {k: v for k, v in f.__dict__.items() if v is not None}
    out["value"] = str(f.value)
    return out


_COLS = (
    "doc_id, origin, department, year, table_id, table_title, table_type, unit, row_index, row_name, row_key,"
    " row_code, is_total, column_key, section_id, section_heading, offset, context, value, raw, decimals, page"
)


def figure_rows(doc: Document) -> list[tuple]:
    m = doc.meta
    rows: list[tuple] = []
    for t in doc.tables:
        for r in t.rows:
            for c in r.cells:
                f = c.figure
                if f is None or f.value is None:
                    continue
                rows.append((
                    doc.id, "table", m.department, m.year, t.id, t.title, t.standard_type.value, f.unit or t.unit,
                    r.index, r.name, normalise_label(r.name), r.code, int(r.is_total), c.column,
                    None, None, None, None, str(f.value), f.raw, f.decimals, f.location.page or r.page,
                ))
    for s in doc.sections:
        heading = " > ".join(s.path or [s.heading])
        for f in s.figures:
            if f.value is None:
                continue
            off = f.location.offset
            ctx = s.text[max(0, (off or 0) - CONTEXT_CHARS) : (off or 0) + len(f.raw) + CONTEXT_CHARS] if off is not None else None
            rows.append((
                doc.id, "narrative", m.department, m.year, None, None, None, f.unit,
                None, None, None, None, 0, None, s.id, heading, off, ctx, str(f.value), f.raw, f.decimals, f.location.page,
            ))
    return rows


def insert_document(conn: sqlite3.Connection, doc: Document) -> int:
    rows = figure_rows(doc)
    conn.executemany(f"INSERT INTO figures ({_COLS}) VALUES ({','.join('?' * 22)})", rows)
    return len(rows)


def delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    conn.execute("DELETE FROM figures WHERE doc_id=?", (doc_id,))


def _record(r: sqlite3.Row) -> FigureRecord:
    return FigureRecord(
        doc_id=r["doc_id"], origin=r["origin"], value=Decimal(r["value"]), raw=r["raw"], decimals=r["decimals"],
        unit=r["unit"], page=r["page"], department=r["department"], year=r["year"], table_id=r["table_id"],
        table_title=r["table_title"], table_type=r["table_type"], row_index=r["row_index"], row_name=r["row_name"],
        row_code=r["row_code"], is_total=bool(r["is_total"]), column=r["column_key"], section_id=r["section_id"],
        section_heading=r["section_heading"], offset=r["offset"], context=r["context"],
    )


class FiguresStore:
    """Read side: exact lookups over ready documents."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def query(
        self,
        *,
        doc_id: Optional[str] = None,
        department: Optional[str] = None,
        year: Optional[int] = None,
        table_type: TableType | str | None = None,
        table_id: Optional[str] = None,
        row_name: Optional[str] = None,
        row_name_contains: Optional[str] = None,
        code: Optional[str] = None,
        column: Optional[str] = None,
        column_contains: Optional[str] = None,
        origin: Optional[str] = None,
        text_contains: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> list[FigureRecord]:
        """Figures matching every given filter. Row names compare as labels (spaces and 一、
        prefixes ignored); `department` matches a substring (users write 司法局, not the full name)."""
        where, args = ["d.status = 'ready'"], []

        def add(clause: str, value) -> None:
            where.append(clause)
            args.append(value)

        if doc_id:
            add("f.doc_id = ?", doc_id)
        if department:
            add("f.department LIKE ?", f"%{department}%")
        if year is not None:
            add("f.year = ?", int(year))
        if table_type:
            add("f.table_type = ?", table_type.value if isinstance(table_type, TableType) else str(table_type))
        if table_id:
            add("f.table_id = ?", table_id)
        if row_name:
            add("f.row_key = ?", normalise_label(row_name))
        if row_name_contains:
            add("f.row_key LIKE ?", f"%{normalise_label(row_name_contains)}%")
        if code:
            add("f.row_code = ?", code)
        if column:
            add("f.column_key = ?", column)
        if column_contains:
            add("f.column_key LIKE ?", f"%{column_contains}%")
        if origin:
            add("f.origin = ?", origin)
        if text_contains:
            add("f.context LIKE ?", f"%{text_contains}%")
        sql = (
            f"SELECT f.* FROM figures f JOIN documents d ON d.doc_id = f.doc_id WHERE {' AND '.join(where)} "
            "ORDER BY f.doc_id, f.id" + (f" LIMIT {int(limit)}" if limit else "")
        )
        return [_record(r) for r in self.conn.execute(sql, args)]

    def by_metric(self, name: str, **filters) -> list[FigureRecord]:
        """Table figures on rows labelled `name` (e.g. 人员经费, 公务接待费, 合计)."""
        return self.query(row_name=name, origin="table", **filters)

    def by_code(self, code: str, **filters) -> list[FigureRecord]:
        return self.query(code=code, origin="table", **filters)

    def by_table_type(self, table_type: TableType | str, **filters) -> list[FigureRecord]:
        return self.query(table_type=table_type, origin="table", **filters)

    def of_document(self, doc_id: str, **filters) -> list[FigureRecord]:
        return self.query(doc_id=doc_id, **filters)

    def narrative(self, **filters) -> list[FigureRecord]:
        return self.query(origin="narrative", **filters)

    def count(self, doc_id: Optional[str] = None) -> int:
        sql = "SELECT COUNT(*) FROM figures f JOIN documents d ON d.doc_id=f.doc_id WHERE d.status='ready'"
        return self.conn.execute(sql + (" AND f.doc_id=?" if doc_id else ""), (doc_id,) if doc_id else ()).fetchone()[0]
