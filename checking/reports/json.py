"""The report as JSON: Decimals as strings, lossless (`Report.from_json` reads it back)."""

from __future__ import annotations

from pathlib import Path

from checking.findings import Report


def to_json(report: Report, ledger: bool = True) -> str:
    """The report (schema 2); `ledger=False` leaves each document's ledger out (it is long)."""
    return report.to_json(ledger=ledger, indent=1)


def write_json(report: Report, path: str | Path) -> None:
    Path(path).write_text(to_json(report), encoding="utf-8")
