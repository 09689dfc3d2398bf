"""A disclosure published as several files (情况说明 + 报表, as 北京 does) read as one `Document`.

The parts are read one by one and joined in the order given: sections and tables follow each other,
pages of a later part are numbered after the earlier parts' pages (page 3 of the 报表 behind a
10-page 情况说明 is page 13), table ids are renumbered in reading order, and every figure's place is
rewritten to match. The joined document's id is the hash of its parts' ids, so the same files give
the same document. Metadata comes from the joined text: the cover usually sits in the first part.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Optional, Sequence

from indexing.model import Document, Location

# File names that mark one part of a disclosure split over files; the stem before the mark names it.
_PART_RE = re.compile(r"^(?P<stem>.+?)[_\-\s]*(?P<part>narrative|tables|情况说明|说明|报表|表格|附表)$", re.IGNORECASE)
_PART_ORDER = {"narrative": 0, "情况说明": 0, "说明": 0, "tables": 1, "报表": 1, "表格": 1, "附表": 1}


def group_parts(files: Iterable[Path]) -> list[list[Path]]:
    """Group files whose names differ only by a part mark (`X_narrative.pdf`, `X_tables.pdf`):
    each group is one disclosure, the narrative first, in the order the files came. Other files
    stand alone."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        m = _PART_RE.match(f.stem)
        key = f"{f.parent}/{m.group('stem')}" if m else str(f)
        groups.setdefault(key, []).append(f)
    out = []
    for parts in groups.values():
        parts.sort(key=lambda p: _PART_ORDER.get((_PART_RE.match(p.stem) or _NoMatch()).group("part").lower(), 2))
        out.append(parts)
    return out


class _NoMatch:
    def group(self, _name: str) -> str:
        return ""


def read_parts(paths: Sequence[str | Path], **read_kwargs) -> Document:
    """Read one file, or several files as one disclosure."""
    from indexing.read import read_document

    docs = [read_document(p, **read_kwargs) for p in paths]
    return docs[0] if len(docs) == 1 else merge_documents(docs)


def merge_documents(docs: Sequence[Document], source: Optional[str] = None) -> Document:
    merged = Document(
        id=hashlib.sha256("+".join(d.id for d in docs).encode()).hexdigest(),
        source=source or " + ".join(d.source for d in docs),
        format=docs[0].format if len({d.format for d in docs}) == 1 else "mixed",
        page_count=sum(d.page_count or 0 for d in docs) or None,
    )
    page_shift = 0
    for part_no, d in enumerate(docs):
        table_ids: dict[str, str] = {}
        for t in d.tables:
            new = t.model_copy(deep=True)
            new.id = f"t{len(merged.tables) + 1}"
            table_ids[t.id] = new.id
            new.pages = [p + page_shift for p in new.pages]
            for row in new.rows:
                row.page = row.page + page_shift if row.page is not None else None
                for cell in row.cells:
                    if cell.figure is not None:
                        _move(cell.figure.location, page_shift, table_ids)
            merged.tables.append(new)
        section_ids: dict[str, str] = {}
        for s in d.sections:
            new_s = s.model_copy(deep=True)
            new_s.id = f"s{len(merged.sections) + 1}"
            section_ids[s.id] = new_s.id
            new_s.page = new_s.page + page_shift if new_s.page is not None else None
            new_s.page_offsets = [(o, p + page_shift) for o, p in new_s.page_offsets]
            for f in new_s.figures:
                _move(f.location, page_shift, table_ids, section_ids)
            merged.sections.append(new_s)
        merged.warnings += [f"[{d.source}] {w}" for w in d.warnings]
        page_shift += d.page_count or 0
    # The cover is the first part's; what it does not show comes from a later part (a 报表 file
    # names the department in its "部门(单位)：" lines).
    merged.meta = docs[0].meta.model_copy()
    for d in docs[1:]:
        for field in ("department", "region", "year", "kind", "level", "unit"):
            if getattr(merged.meta, field) is None and getattr(d.meta, field) is not None:
                setattr(merged.meta, field, getattr(d.meta, field))
    units = Counter(t.unit for t in merged.tables if t.unit)
    merged.meta.table_unit = units.most_common(1)[0][0] if units else merged.meta.table_unit
    return merged


def _move(loc: Location, page_shift: int, table_ids: dict[str, str], section_ids: Optional[dict[str, str]] = None) -> None:
    if loc.page is not None:
        loc.page += page_shift
    if loc.table_id is not None:
        loc.table_id = table_ids.get(loc.table_id, loc.table_id)
    if section_ids is not None and loc.section_id is not None:
        loc.section_id = section_ids.get(loc.section_id, loc.section_id)
