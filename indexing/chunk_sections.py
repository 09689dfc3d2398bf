"""Narrative chunks: a section's text under its heading path, split at sentence ends into pieces of
~300–500 characters, each headed by who and when (`doc_label`) and where (the heading path).

A sentence is never cut between two chunks unless it alone passes MAX_CHARS (a list without full
stops); a short tail joins the piece before it, so no chunk is a stray clause.
"""

from __future__ import annotations

import re
from typing import Any

from indexing.model import Document, Section
from indexing.read.sections import page_at

TARGET_CHARS = 400  # aim for chunks of 300–500 characters of body text
MAX_CHARS = 500
MIN_CHARS = 300

_SHARE_RE = re.compile(r"占[^，。；,;]{0,20}?\d+(?:\.\d+)?\s*[%％]")
_SENTENCE_RE = re.compile(r"[^。！？；\n]*(?:[。！？；]+|\n|$)")


def doc_label(doc: Document) -> str:
    """'三门峡市湖滨区医疗保障局 2025年部门预算' — the who/when prefix of every chunk."""
    m = doc.meta
    parts = [m.department or doc.source]
    if m.year:
        parts.append(f"{m.year}年{m.level or ''}{m.kind or ''}")
    return " ".join(parts)



def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.findall(text) if s.strip()]


def split_text(text: str, target: int = TARGET_CHARS, max_chars: int = MAX_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pieces at sentence ends; a piece closes once it passes `target` or the
    next sentence would push it past `max_chars`. A sentence longer than max is cut hard."""
    pieces: list[tuple[int, str]] = []
    start, buf, offset = 0, "", 0
    for sent in split_sentences(text):
        while len(sent) > max_chars:  # one giant "sentence" (a list without full stops)
            if buf:
                pieces.append((start, buf))
                buf = ""
            pieces.append((offset, sent[:max_chars]))
            offset += max_chars
            sent = sent[max_chars:]
        if buf and (len(buf) >= target or len(buf) + len(sent) > max_chars):
            pieces.append((start, buf))
            buf = ""
        if not buf:
            start = offset
        buf += sent
        offset += len(sent)
    if buf.strip():
        # A short tail joins the previous piece when that stays under max (no 20-char chunks).
        if pieces and len(buf) < MIN_CHARS // 3 and len(pieces[-1][1]) + len(buf) <= max_chars:
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + buf)
        else:
            pieces.append((start, buf))
    return [(o, p.strip()) for o, p in pieces if p.strip()]


def section_chunks(doc: Document, section: Section) -> list[tuple[str, dict[str, Any]]]:
    path = " > ".join(h for h in (section.path or [section.heading]) if h)
    head = f"{doc_label(doc)} | {path}" if path else doc_label(doc)
    out = []
    for offset, piece in split_text(section.text):
        meta = {"chunk_kind": "section", "section_id": section.id, "heading": path[:200], "offset": offset}
        if _SHARE_RE.search(piece):
            meta["has_share"] = True  # prints a part's share of a whole ("占62.89%")
        page = page_at(section, offset)
        if page is not None:
            meta["page"] = page
        out.append((f"{head}\n{piece}", meta))
    return out
