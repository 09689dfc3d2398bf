"""The year and the kind (预算 / 决算) a question asks about, read from its words alone.

The year asked about is not the one compared with (与2024年相比 in a 2025 question); 决算 where the
question uses the words of final accounts (决算, 年初预算, 执行率), 预算 where it says 预算 otherwise.
Whether the catalogue holds that year or kind is decided in service/scope.py: a word never empties
the scope.
"""

from __future__ import annotations

import re
from typing import Optional

# Years: the one asked about, not the one compared with.
_YEAR = re.compile(r"(20\d\d)\s*年")
_COMPARED_BEFORE = re.compile(r"(?:与|和|跟|比|较|同|对比|相对于)\s*$")
_COMPARED_AFTER = re.compile(r"^\s*年?度?(?:相比|比较|同期|的?(?:预算|决算)?数?相比)")
# Final accounts speak of the year's budget and its execution; a budget only of 预算.
_FINAL_WORDS = re.compile(r"决算|年初预算|预算执行|执行率|执行情况|完成年初")
_BUDGET_WORD = re.compile(r"预算")


def question_year(q: str) -> Optional[int]:
    """The year asked about: the latest year written that is not the one compared with."""
    asked = []
    for m in _YEAR.finditer(q):
        if _COMPARED_BEFORE.search(q[: m.start()]) or _COMPARED_AFTER.match(q[m.end():]):
            continue
        asked.append(int(m.group(1)))
    return max(asked) if asked else None


def question_kind(q: str) -> Optional[str]:
    if _FINAL_WORDS.search(q):
        return "决算"
    return "预算" if _BUDGET_WORD.search(q) else None
