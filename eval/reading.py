"""A label-free reading metric: how well a document was read, measured on the document alone.

Without gold labels a reader can still be judged by what a published disclosure must satisfy:
- **tables**: which of the standard tables (财预〔2016〕143号) were found and typed;
- **totals**: the share of 合计 / 小计 rows that equal the sum of the rows they close, within
  rounding (`indexing.read.confidence` decides which rows a total closes);
- **identities**: 收入总计 = 支出总计, 基本支出 + 项目支出 = 支出合计, 三公 parts = 三公 total,
  each marked holds / fails / unknown (a side not found);
- **core figures**: 收入总计, 支出总计, 基本支出, 项目支出, 三公经费合计 found or not.

A published document mostly satisfies its identities, so a failing identity on a real document is
more often a reading error than a publication error: this is what the reader is developed against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Iterable, Optional

from indexing.model import REQUIRED_TABLE_TYPES, Document, TableType

CORE_KEYS = ("收入总计", "支出总计", "基本支出", "项目支出", "三公经费合计")
# A key figure is compared in 万元; two decimals are printed, and a 元 table converts exactly,
# so identities are allowed the rounding of the two or three printed addends (½ of 0.01 each).
_TOLERANCE = Decimal("0.015")


@dataclass
class ReadingScore:
    source: str
    tables: int = 0
    typed: int = 0
    standard_found: list[str] = field(default_factory=list)
    standard_missing: list[str] = field(default_factory=list)
    totals_checked: int = 0
    totals_reconciled: int = 0
    incomplete_tables: int = 0
    identities: dict[str, str] = field(default_factory=dict)  # name -> holds / fails / unknown
    core_found: dict[str, bool] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def totals_share(self) -> Optional[float]:
        return self.totals_reconciled / self.totals_checked if self.totals_checked else None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["totals_share"] = self.totals_share
        return d


def identities(kf: dict) -> dict[str, str]:
    """The headline identities of a disclosure on its key figures (万元)."""

    def check(left, right) -> str:
        if left is None or right is None:
            return "unknown"
        return "holds" if abs(Decimal(left) - Decimal(right)) <= _TOLERANCE else "fails"

    spend = kf.get("支出总计")
    parts = [kf.get("基本支出"), kf.get("项目支出")]
    three = [kf.get("因公出国(境)费"), kf.get("公务接待费"), kf.get("公务用车购置及运行费")]
    return {
        "收入总计=支出总计": check(kf.get("收入总计"), spend),
        "基本支出+项目支出=支出合计": check(_sum(parts), kf.get("本年支出合计")),
        "三公分项=三公合计": check(_sum(three), kf.get("三公经费合计")),
    }


def _sum(values: Iterable) -> Optional[Decimal]:
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum((Decimal(v) for v in values), Decimal(0))


def score(doc: Document) -> ReadingScore:
    from indexing.key_figures import key_figures
    from indexing.read.confidence import table_confidence

    kf = key_figures(doc)
    found_types = {t.standard_type for t in doc.tables}
    s = ReadingScore(source=doc.source, tables=len(doc.tables))
    s.typed = sum(1 for t in doc.tables if t.standard_type is not TableType.other)
    s.standard_found = [t.value for t in REQUIRED_TABLE_TYPES if t in found_types]
    s.standard_missing = [t.value for t in REQUIRED_TABLE_TYPES if t not in found_types]
    for t in doc.tables:
        conf = t.confidence or table_confidence(t)
        s.totals_checked += conf.totals_checked
        s.totals_reconciled += conf.totals_reconciled
        s.incomplete_tables += not t.complete
    s.identities = identities(kf)
    s.core_found = {k: kf.get(k) is not None for k in CORE_KEYS}
    s.meta = {k: v for k, v in doc.meta.model_dump().items() if k in ("department", "region", "year", "kind", "level")}
    return s


def summarise(scores: list[ReadingScore]) -> dict:
    """Totals over documents: shares of standard tables, reconciled totals, identities and core keys."""
    n = len(scores)
    if not n:
        return {"documents": 0}
    ident_names = sorted({k for s in scores for k in s.identities})
    out: dict[str, object] = {
        "documents": n,
        "standard_tables_found": _share(sum(len(s.standard_found) for s in scores),
                                        sum(len(s.standard_found) + len(s.standard_missing) for s in scores)),
        "totals_reconciled": _share(sum(s.totals_reconciled for s in scores), sum(s.totals_checked for s in scores)),
        "documents_all_core_found": _share(sum(all(s.core_found.values()) for s in scores), n),
    }
    for key in CORE_KEYS:
        out[f"core:{key}"] = _share(sum(s.core_found.get(key, False) for s in scores), n)
    for name in ident_names:
        known = [s.identities[name] for s in scores if s.identities.get(name, "unknown") != "unknown"]
        out[f"identity:{name}"] = {"holds": _share(known.count("holds"), len(known)), "known": len(known)}
    return out


def _share(a: int, b: int) -> Optional[float]:
    return round(a / b, 3) if b else None


def format_score(s: ReadingScore) -> str:
    """One document's metric as a few readable lines (for `budgetqa parse --summary`)."""
    lines = [
        f"{s.source}: {s.tables} tables, {s.typed} typed; standard {len(s.standard_found)}/"
        f"{len(s.standard_found) + len(s.standard_missing)}"
        + (f" (missing: {'、'.join(s.standard_missing)})" if s.standard_missing else ""),
        f"  合计/小计 reconciled {s.totals_reconciled}/{s.totals_checked}; incomplete tables {s.incomplete_tables}",
        "  identities: " + "; ".join(f"{k} {v}" for k, v in s.identities.items()),
        "  core figures: " + " ".join(f"{k}{'✓' if v else '✗'}" for k, v in s.core_found.items()),
        "  meta: " + ", ".join(f"{k}={v}" for k, v in s.meta.items()),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Reading many documents


def disclosure_groups(paths) -> list[list]:
    """Files and folders → disclosures (lists of files): `X_narrative.pdf` + `X_tables.pdf` are one."""
    from pathlib import Path

    from indexing.read.multi import group_parts

    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix.lower() in (".pdf", ".txt"))
        else:
            files.append(p)
    return group_parts(files)


def _score_files(paths: list[str]) -> tuple[list[str], Optional[dict], Optional[str], float]:
    import time
    from pathlib import Path

    from indexing.read import ReadError
    from indexing.read.multi import read_parts

    t0 = time.perf_counter()
    try:
        doc = read_parts([Path(p) for p in paths])
    except ReadError as exc:
        return paths, None, str(exc), time.perf_counter() - t0
    return paths, score(doc).as_dict(), None, time.perf_counter() - t0


def score_many(groups: list[list], jobs: int = 2, progress: bool = True):
    """Read and score each disclosure in a worker process (a failed read costs one document).
    Yields (paths, ReadingScore or None, error or None, seconds) as they finish."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_score_files, [str(p) for p in g]) for g in groups]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="read", unit="doc", disable=not progress):
            paths, d, err, secs = fut.result()
            if d is not None:
                d.pop("totals_share", None)
                yield paths, ReadingScore(**d), None, secs
            else:
                yield paths, None, err, secs
