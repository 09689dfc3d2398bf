"""Gold label files (../shared/labels/SCHEMA.md, plus the generator's `injected` list) → `Label`.

Every number becomes a `Decimal` as printed in the JSON (no float ever holds a figure). A label names
its document by `doc`, `source_pdf` or the generator's `docs` map; the document is looked for in
each --docs folder in turn (and in a `docs/` folder inside it). Labels whose document is not found
are returned in `missing`, never silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Optional

# Fields whose numbers are figures (Decimal); ids, years and pages stay int.
_FIGURE_KEYS = {"value", "values", "key_values", "difference"}


@dataclass
class Label:
    path: Path
    doc_name: str
    doc_path: Optional[Path]
    department: Optional[str]
    year: Optional[int]
    unit: Optional[str]
    key_figures: dict[str, Optional[Decimal]]
    claims: list[dict] = field(default_factory=list)
    table_inconsistencies: list[dict] = field(default_factory=list)
    qa: list[dict] = field(default_factory=list)
    editorial: list[dict] = field(default_factory=list)
    injected: list[dict] = field(default_factory=list)
    generated: bool = False

    @property
    def name(self) -> str:
        return Path(self.doc_name).stem

    def claim(self, cid: str) -> Optional[dict]:
        return next((c for c in self.claims if c.get("id") == cid), None)

    def inconsistency(self, tid: str) -> Optional[dict]:
        return next((t for t in self.table_inconsistencies if t.get("id") == tid), None)


def to_decimal(v: Any) -> Optional[Decimal]:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, str):
        try:
            return Decimal(v.replace(",", ""))
        except Exception:
            return None
    raise TypeError(f"not a figure: {v!r}")  # a float here would mean a float slipped in


def _figures(obj: Any, key: str = "") -> Any:
    """Walk the JSON; numbers under figure keys become Decimal (lists of them too)."""
    if isinstance(obj, dict):
        return {k: _figures(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_figures(v, key) for v in obj]
    if key in _FIGURE_KEYS and isinstance(obj, (int, Decimal)) and not isinstance(obj, bool):
        return Decimal(obj)
    return obj


def parse_label(path: Path, data: dict, docs_dirs: Iterable[Path]) -> Label:
    data = _figures(data)
    names = [data.get("doc"), data.get("source_pdf")] + list((data.get("docs") or {}).values())
    names = [n for n in names if n]
    doc_path = find_document(names, docs_dirs)
    return Label(
        path=path,
        doc_name=(doc_path.name if doc_path else (names[0] if names else path.stem)),
        doc_path=doc_path,
        department=data.get("department"),
        year=data.get("year"),
        unit=data.get("unit"),
        key_figures={k: to_decimal(v) for k, v in (data.get("key_figures") or {}).items()},
        claims=data.get("claims") or [],
        table_inconsistencies=data.get("table_inconsistencies") or [],
        qa=data.get("qa") or [],
        editorial=data.get("editorial") or [],
        injected=data.get("injected") or [],
        generated=bool(data.get("generator")),
    )


def find_document(names: list[str], docs_dirs: Iterable[Path]) -> Optional[Path]:
    for d in docs_dirs:
        for sub in (Path(d), Path(d) / "docs"):
            for n in names:
                p = sub / Path(n).name
                if p.is_file():
                    return p
    return None


def load_labels(labels_dir: str | Path, docs_dirs: Iterable[str | Path]) -> tuple[list[Label], list[Path]]:
    """All `*.json` labels of a folder (sorted) → (labels with their document, label files whose
    document is in none of the docs folders)."""
    dirs = [Path(d) for d in docs_dirs]
    found, missing = [], []
    for path in sorted(Path(labels_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        if not isinstance(data, dict) or "key_figures" not in data:
            continue  # not a label file
        label = parse_label(path, data, dirs)
        (found if label.doc_path else missing).append(label if label.doc_path else path)
    return found, missing
