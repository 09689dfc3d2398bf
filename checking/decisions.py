"""An inspector's decision on a finding, and the finding's stable identity that carries it across
re-checks.

A re-check of the same document (uploaded again, or checked by a newer checker) rebuilds every
finding, and table and section ids may move as the reader improves. The identity is therefore built
from what an inspector sees: the rule code, and per side the table title, row label, column, the
printed figure and (narrative) the start of the quoted sentence. Two findings that read the same
get "#2", "#3" in reading order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Optional

from checking.findings import Finding

STATUSES = ("open", "confirmed", "dismissed")
STATUS_ZH = {"open": "待复核", "confirmed": "已确认", "dismissed": "已排除"}


@dataclass(frozen=True)
class Decision:
    status: str  # open | confirmed | dismissed
    reason: Optional[str] = None  # required when dismissed
    who: Optional[str] = None
    at: Optional[str] = None  # ISO 8601, UTC

    @property
    def label(self) -> str:
        """'已排除（原因：…；张三，2026-12-03 12:00）' for reports."""
        extra = "；".join(x for x in (f"原因：{self.reason}" if self.reason else "",
                                      "，".join(x for x in (self.who or "", (self.at or "")[:16].replace("T", " ")) if x))
                         if x)
        return STATUS_ZH.get(self.status, self.status) + (f"（{extra}）" if extra else "")


def _side_key(e) -> str:
    quote = re.sub(r"\s+", "", e.quote or "")[:30] if e.side == "narrative" else ""
    return "|".join((e.side, e.table_title or "", e.row_label or "", e.location.column or "", e.raw or "", quote))


def finding_key(f: Finding) -> str:
    text = f.code + "||" + "||".join(sorted(_side_key(e) for e in f.evidence))
    if not f.evidence:
        text += "||" + f.message
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def finding_keys(findings: list[Finding]) -> list[str]:
    """Identities of a document's findings, in the given order, made unique with #2, #3."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        k = finding_key(f)
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out


def keyed(findings: list[Finding]) -> list[tuple[str, Finding]]:
    return list(zip(finding_keys(findings), findings))
