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
    return [w for w in re.findall(r"[\u4e00-\u9fff“”]+", text) if w not in ("单位", "部门")]


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
    """The first sentence number in `unit` with the question's noun just before it (or just after:
    "3辆公务用车"). A total stated before the sentence's "其中" wins over its parts, and there the
    noun's head character is enough (车辆7辆 answers 几辆车, 几辆公务用车); elsewhere two characters of
    the noun's end or start must stand there."""
    nouns = sorted(_nouns(q, unit), key=len, reverse=True)
    hits = []
    for it in items:
        if it.kind != "sentence" or it.suspicious:
            continue
        parts_at = it.text.find("其中")
        for n in find_numbers(it.text):
            after = it.text[n.end:n.end + len(unit) + 1]
            if not (it.text[n.start:n.end].endswith(unit) or after.lstrip().startswith(unit)):
                continue
            before = it.text[max(0, n.start - WINDOW):n.start]
            tail = it.text[n.end:n.end + WINDOW]
            head_only = parts_at < 0 or n.start < parts_at
            for noun in nouns:
                forms = [noun[-k:] for k in range(len(noun), 1, -1)] + [noun[:k] for k in range(len(noun) - 1, 1, -1)]
                if head_only:
                    forms.append(noun[-1])
                w = next((f for f in forms if f in before or tail[len(unit):].startswith(f)), None)
                if w is not None:
                    hits.append((0 if head_only else 1, it, n, _said_noun(before) or w))
                    break
    hits.sort(key=lambda h: h[0])
    return hits[0][1:] if hits else None


def _said_noun(before: str) -> str:
    """The sentence's own word for what it counts: the characters right before the number, without
    the verbs that introduce a count (共有车辆7辆 → 车辆)."""
    m = re.search(r"([\u4e00-\u9fff]{1,8})\s*$", before)
    word = re.sub(r"^.*?(?:共有|现有|实有|共计|合计|共|有)", "", m.group(1)) if m else ""
    return word if len(word) >= 2 else ""
