"""What a follow-up question in a chat keeps from the questions before it.

In a conversation people name the department once: "民政局2025年三公经费是多少？" and then "那项目支出
呢？", "为什么下降？". The OpenAI-compatible chat receives the whole conversation, so the follow-up is read
the way a person reads it:

- a question that names no department, while several departments are indexed (its scope is
  `absent`, service/scope.py), is about the department of the latest earlier user question that
  named exactly one; one that names its own department (or an ambiguous one) keeps its own reading;
- with that department carried, the year and the kind (预算/决算) of that earlier question are
  carried too, unless the follow-up states its own;
- nothing is carried from an earlier question that was itself ambiguous or named several
  departments: a comparison does not say which one the follow-up means.

The answer says what was carried (`note`), so a reader sees why it is about that department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from service.scope import CatalogEntry, resolve_scope
from service.scope_period import question_kind, question_year


@dataclass(frozen=True)
class Carried:
    department: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None

    def filters(self) -> dict:
        out = {"department": self.department, "year": self.year, "kind": self.kind}
        return {k: v for k, v in out.items() if v}

    @property
    def note(self) -> Optional[str]:
        if not self.department:
            return None
        when = f"{self.year}年" if self.year else ""
        return f"问题未写明部门，沿用上文所问的{self.department}{when}{self.kind or ''}。"


def carried(history: Sequence[str], question: str, catalog: Sequence[CatalogEntry]) -> Carried:
    """What `question` takes from the earlier user questions `history` (oldest first)."""
    if not history or resolve_scope(question, catalog).status != "absent":
        return Carried()
    q = re.sub(r"\s+", "", question)
    for earlier in reversed(history):
        scope = resolve_scope(earlier, catalog)
        if scope.status == "absent":
            continue  # it named nobody either: look further back
        if scope.status != "named" or len(scope.departments) != 1:
            return Carried()  # ambiguous, unknown or several: the follow-up's department is not known
        said = re.sub(r"\s+", "", earlier)
        year = None if question_year(q) else question_year(said)
        kind = None if question_kind(q) else question_kind(said)
        return Carried(scope.departments[0], year, kind)
    return Carried()
