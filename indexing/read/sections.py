"""Narrative lines → sections with heading paths, page marks and located figures.

Both readers hand over the lines that are not tables, each with its page (PDF) or line number
(text). Converted text breaks sentences anywhere ("1740.73万" / "元"), so body lines are joined
without a separator unless the previous line ends a sentence or the next starts a list item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from indexing.model import Figure, Location, Section
from indexing.numbers import find_numbers
from indexing.read.pdf_lines import union

_PART_RE = re.compile(r"^第[一二三四五六七八九十]+部分")
_L2_RE = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_L3_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_L4_RE = re.compile(r"^\d{1,2}[、.．](?!\d)")
_L5_RE = re.compile(r"^(?:[（(]\d{1,2}[)）]|[①-⑳])")
# A heading run into its body on one line: a marker, a short title, a colon, the body
# ("三、“三公”经费预算情况说明：2025年…", "（二）政府采购情况：…").
_RUN_IN_RE = re.compile(
    r"^((?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])"
    r"[^：:。；，\d]{2,30}?)[：:。](?=\S)")
_SENTENCE_END = tuple("。！？；：!?;:")
_MAX_HEADING = 42
_GLOSSARY_RE = re.compile(r"^.{1,24}?[：:]\s*(?:是|系)?指")  # a term, a colon, "(是)指…": a definition


@dataclass
class Line:
    text: str
    page: Optional[int] = None
    line_no: Optional[int] = None
    # A reader that knows better than the text (font size, a table of contents) sets this:
    # 0 = body text, n >= 1 = heading of level n; None = decide from the text.
    heading: Optional[int] = None
    # PDF only: the page box of each character of `text` (None for a character with no box).
    boxes: Optional[list[Optional[tuple[float, float, float, float]]]] = None


def heading_level(text: str) -> Optional[int]:
    """1 for 第X部分, 2 for 一、, 3 for （一）, 4 for 1、 — only for short lines that are not sentences."""
    s = text.strip()
    if not s or len(s) > _MAX_HEADING or s.endswith(("。", "；", ";")):
        return None
    if _PART_RE.match(s):
        return 1
    if _GLOSSARY_RE.match(s):  # glossary entries "一、基本支出：是指…" / "一、事业收入：指…" are body text
        return None
    if re.search(r"\d+(?:\.\d+)?\s*(?:万元|元|%)", s):  # a figure means a sentence, not a heading
        return None
    if re.search(r"[，,；]", s):  # a comma means a sentence (or a wrapped line of one), not a title
        return None
    if _L2_RE.match(s):
        return 2
    if _L3_RE.match(s):
        return 3
    if _L4_RE.match(s) and len(s) <= 24:
        return 4
    if _L5_RE.match(s) and len(s) <= 24:
        return 5
    return None


_MIN_CONTENTS = 5
_PAGE_NUMBER_RE = re.compile(r"^[\s\-—–第页]*\d*[\s\-—–页]*$")  # "- 1 -", "第 2 页", blank


def _contents_lines(lines: list[Line]) -> set[int]:
    """A table of contents printed without a 目录 line: a run of at least five heading lines with
    no text between them, three or more of which appear again later as headings (the entries that
    name tables do not: tables have titles, not headings). Its lines are body text,
    so that they do not open empty sections that shadow the real ones."""
    keys = [re.sub(r"[\s.…·]+\d*$", "", re.sub(r"\s+", "", l.text)) if l.heading is None and heading_level(l.text) else None
            for l in lines]
    out: set[int] = set()
    k = 0
    while k < len(lines):
        if keys[k] is None:
            k += 1
            continue
        end, seen = k, set()
        # The run ends where text starts, or where an entry comes again (the document itself).
        while end < len(lines) and (keys[end] is not None or _PAGE_NUMBER_RE.match(lines[end].text)):
            if keys[end] in seen:
                break
            seen.add(keys[end])
            end += 1
        run = [i for i in range(k, end) if keys[i]]
        later = {keys[i] for i in range(end, len(lines)) if keys[i]}
        if len(run) >= _MIN_CONTENTS and sum(keys[i] in later for i in run) >= 3:
            out.update(run)
        k = end
    return out


def split_run_in(text: str) -> Optional[tuple[str, str]]:
    """(heading, body) of a heading run into its first sentence, or None. A glossary entry
    ("一、基本支出：是指…") is a definition, not a heading."""
    m = _RUN_IN_RE.match(text)
    if not m or _GLOSSARY_RE.match(text) or heading_level(m.group(1)) is None:
        return None
    return m.group(1), text[m.end():]


def _join(prev: str, nxt: str) -> str:
    if not prev:
        return nxt
    if prev.endswith(_SENTENCE_END) or _L3_RE.match(nxt) or _L4_RE.match(nxt) or _L2_RE.match(nxt):
        return prev + "\n" + nxt
    return prev + nxt


def build_sections(lines: list[Line], title: Optional[str] = None) -> list[Section]:
    """Group narrative lines under headings. Text before the first heading forms a preface section."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []  # (level, heading) of the open headings
    current: Optional[Section] = None

    def open_section(heading: str, level: int, page: Optional[int]) -> Section:
        nonlocal stack
        stack = [(lv, h) for lv, h in stack if lv < level] + [(level, heading)]
        sec = Section(id=f"s{len(sections) + 1}", heading=heading, level=level, page=page, path=[h for _, h in stack if h])
        sections.append(sec)
        return sec

    boxes_of: dict[str, list] = {}  # section id -> one box (or None) per character of its text
    contents = _contents_lines(lines)
    for k, line in enumerate(lines):
        if k in contents:
            line = Line(line.text, line.page, line.line_no, heading=0, boxes=line.boxes)
        text, char_boxes = _normalise(line.text, line.boxes)
        if not text:
            continue
        plain = re.sub(r"\s+", " ", line.text).strip()  # a heading keeps its printed spacing
        level = heading_level(plain) if line.heading is None else (line.heading or None)
        if level is not None:
            current = open_section(plain, level, line.page)
            continue
        run_in = split_run_in(text) if line.heading is None else None
        if run_in is not None:
            heading, body = run_in
            current = open_section(heading, heading_level(heading) or 2, line.page)
            cut = len(text) - len(body)
            text, char_boxes = body, char_boxes[cut:]
        if current is None:
            current = open_section(title or "", 0, line.page)
        if line.page is not None and (not current.page_offsets or current.page_offsets[-1][1] != line.page):
            if current.page is None:
                current.page = line.page
            current.page_offsets.append((len(current.text), line.page))
        before = len(current.text)
        current.text = _join(current.text, text)
        if line.boxes is not None:
            kept = boxes_of.setdefault(current.id, [])
            kept += [None] * (before - len(kept)) + [None] * (len(current.text) - before - len(text)) + char_boxes

    for sec in sections:
        sec.figures = [
            Figure(
                value=n.value,
                raw=n.raw,
                decimals=n.decimals,
                unit=n.unit,
                location=Location(section_id=sec.id, offset=n.start, page=page_at(sec, n.start),
                                  box=union(boxes_of.get(sec.id, [])[n.start : n.end])),
            )
            for n in find_numbers(sec.text)
        ]
    return [s for s in sections if s.text or s.level > 0]


_DROP_SPACE = re.compile(r"(?<=[\u4e00-\u9fff，。：；、])\s+|\s+(?=[\u4e00-\u9fff，。：；、%])")


def _normalise(text: str, boxes: Optional[list]) -> tuple[str, list]:
    """Whitespace collapsed and trimmed; spaces inside Chinese prose dropped (they come from the
    converter or the layout: "收入减少 72.13"), kept between Latin words. The boxes follow."""
    pairs = list(zip(text, boxes if boxes is not None else [None] * len(text)))
    out: list[tuple[str, object]] = []
    for ch, box in pairs:
        if ch.isspace():
            if out and out[-1][0] != " ":
                out.append((" ", None))
            continue
        out.append((ch, box))
    while out and out[-1][0] == " ":
        out.pop()
    s = "".join(ch for ch, _ in out)
    keep = [True] * len(s)
    for m in _DROP_SPACE.finditer(s):
        for i in range(m.start(), m.end()):
            keep[i] = False
    out = [p for p, k in zip(out, keep) if k]
    return "".join(ch for ch, _ in out), [b for _, b in out]


def page_at(section: Section, offset: int) -> Optional[int]:
    """The page on which a character of the section's text was printed."""
    page = section.page
    for start, p in section.page_offsets:
        if start <= offset:
            page = p
        else:
            break
    return page
