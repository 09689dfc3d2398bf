"""The documents half of the service (service/pipeline.Pipeline): listing with versions, one
document's record and model, deletion from the index and the answerer, and the findings in four
formats (JSON, HTML, Excel, annotated PDF) with the inspectors' decisions.

A mixin: Pipeline provides `index`, `jobs`, `sources`, `_lock`, `_qa` and `_check` (a document
indexed before checking existed is checked on first request of its findings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from indexing.model import Document


class DocumentDesk:
    def documents(self) -> list[dict]:
        """Every document; `versions` names the others of the same department, year and kind (the
        same disclosure kept more than once, BUDGETQA_DUPLICATES=keep)."""
        with self._lock:
            records = self.index.documents()
        groups: dict[tuple, list[str]] = {}
        for r in records:
            if r.department and r.year:
                groups.setdefault((r.department, r.year, r.kind), []).append(r.doc_id)
        out = []
        for r in records:
            body = self.describe(r)
            body["versions"] = [d for d in groups.get((r.department, r.year, r.kind), []) if d != r.doc_id]
            out.append(body)
        return out

    def describe(self, record) -> dict:
        counts = {"error": 0, "warning": 0, "info": 0}
        report = self.jobs.findings_json(record.doc_id)
        if report:
            for d in json.loads(report).get("documents", []):
                for f in d.get("findings", []):
                    counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return {"id": record.doc_id, "source": record.source, "department": record.department,
                "region": record.region, "year": record.year, "kind": record.kind,
                "chunks": record.n_chunks, "figures": record.n_figures, "findings": counts}

    def record(self, doc_id: str):
        with self._lock:
            return next((r for r in self.index.documents() if r.doc_id == doc_id), None)

    def document(self, doc_id: str) -> Optional[Document]:
        with self._lock:
            return self.index.document(doc_id)

    def delete(self, doc_id: str) -> bool:
        with self._lock:
            gone = self.index.delete(doc_id)
            if self._qa is not None:
                self._qa.remove(doc_id)
        if gone:
            self.jobs.forget(doc_id)
            self.sources.forget(doc_id)
        return gone

    def findings(self, doc_id: str, fmt: str) -> tuple[bytes, str]:
        from checking.findings import Report

        text = self.jobs.findings_json(doc_id)
        if text is None:  # indexed before checking existed, or findings lost: check again
            doc = self.document(doc_id)
            self._check(doc)
            text = self.jobs.findings_json(doc_id)
        report = Report.model_validate_json(text)
        if fmt == "json":
            return text.encode("utf-8"), "application/json"
        from service import desk

        if fmt == "pdf":
            return desk.annotated_pdf(self, doc_id), "application/pdf"
        decisions = desk.decisions_for(self, [doc_id])  # the inspectors' decisions (service/review.py)
        if fmt == "html":
            from checking.reports.html import to_html

            return to_html(report, decisions=decisions, review_base=f"/review/{doc_id}").encode("utf-8"), \
                "text/html; charset=utf-8"
        import tempfile

        from checking.reports.xlsx import write_xlsx

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "findings.xlsx"
            write_xlsx(report, out, decisions)
            return out.read_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
