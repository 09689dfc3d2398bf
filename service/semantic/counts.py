"""Questions that ask for a count ("有几辆公务用车", "有多少个项目", "公务接待多少批次"): the answer is a
number the document prints with that count unit, next to the noun asked about — never an amount.

The count of projects is the key figure 项目个数 (indexing/key_figures.py); any other count is read
from a narrative sentence holding the question's noun within a few characters before "N<unit>" (or
"N<unit><noun>"). A count the documents do not print is "文件未说明…".
"""

from __future__ import annotations

import re
from typing import Optional

from indexing.numbers import find_numbers

from service.semantic.bridge import resolver_for

_COUNT = re.compile(r"(?:多少|几)(个|辆|人次|人|名|批次|批|次|家|台|套|岁|间|处)")
_ASK_WORDS = re.compile(r"(?:20\d\d年度?|今年|去年|上年|有没有|是否|一共|总共|共有|共|现有|目前|请问|多少|几|有|吗|呢|[？?，,。、])")
WINDOW = 12  # characters between the noun and its count


def count_asked(q: str) -> Optional[str]:
    m = _COUNT.search(q)
    return m.group(1) if m else None


def _nouns(q: str, unit: str) -> list[str]:
    """The question's words around the count (department and year words included: harmless, they
    only have to stand before the number in the sentence to count)."""
    text = _COUNT.sub("|", q)
    text = _ASK_WORDS.sub("|", text)
    return [w for w in re.findall(r"[\u4e00-\u9fff“”]{2,}", text) if w not in ("单位", "部门")]


def answer_count(q: str, unit: str, docs: list, provider, b, cite_q):
    from service.semantic.respond import Outcome

    out = Outcome()
    for doc in docs[:4]:
        hit = _sentence_count(q, unit, provider.doc_items(doc.id))
        if hit is None and unit == "个" and "项目" in q:  # no sentence counts them: the table's rows, listed
            rows = resolver_for(doc).projects()
            if rows:
                out.answered = True
                b.lines.append(f"{doc.meta.department or ''}文件列出的项目：")
                for i, q in enumerate(rows, 1):
                    b.lines.append(f"{i}. {q.label}{cite_q(q)}")
                continue
        if hit is not None:
            it, n, noun = hit
            out.answered = True
            b.lines.append(f"{doc.meta.department or ''}{noun}为{n.raw}{'' if n.raw.endswith(unit) else unit}{b.cite(it)}。")
    if not out.answered:
        out.definite = True  # an amount is no answer to "how many"
        out.missing.append(f"所问的数量（{unit}）")
    return out


def _sentence_count(q: str, unit: str, items: list):
    nouns = sorted(_nouns(q, unit), key=len, reverse=True)
    for it in items:
        if it.kind != "sentence" or it.suspicious:
            continue
        for n in find_numbers(it.text):
            after = it.text[n.end:n.end + len(unit) + 1]
            if not (it.text[n.start:n.end].endswith(unit) or after.lstrip().startswith(unit)):
                continue
            before = it.text[max(0, n.start - WINDOW):n.start]
            tail = it.text[n.end:n.end + WINDOW]
            for noun in nouns:
                for k in range(len(noun), 1, -1):  # the noun, or its longest ending (公务用车 in 有公务用车)
                    w = noun[-k:] if noun[-k:] in it.text else noun[:k]
                    if len(w) >= 2 and (w in before or tail.startswith(unit + w) or w in tail[:len(unit) + len(w)]):
                        return it, n, w
    return None
