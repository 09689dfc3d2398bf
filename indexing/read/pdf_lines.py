"""Characters of a PDF page grouped into printed lines by their boxes.

A text layer is not a text: a figure set in another font sits a little above or below the line of
its sentence, and a line-by-`top` grouping (pdfplumber's `extract_text_lines`, tolerance 3 pt) then
puts "年初预算为 万元，支出决算为 万元" on one line and the figures on a line of their own. Here a
character joins the line whose vertical band it overlaps most, when the overlap is at least half
the smaller of the two heights: a figure 4 pt off the baseline of 10.5 pt text stays in its
sentence, while the next line (no overlap) does not. Characters of a line are ordered by x; a gap
wider than half a character becomes a space. Each character keeps its box, so a figure found in
the text can be boxed on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

Box = tuple[float, float, float, float]
_MIN_OVERLAP = 0.5  # share of the smaller height two boxes must share to be on one line
_SPACE_GAP = 0.5  # a gap wider than this share of the character width is a space


@dataclass
class PrintedLine:
    text: str
    top: float
    bottom: float
    size: float
    boxes: list[Optional[Box]] = field(default_factory=list)  # one per character of `text`


@dataclass
class _Band:
    top: float
    bottom: float
    chars: list[dict] = field(default_factory=list)


def group_lines(chars: Iterable[dict]) -> list[PrintedLine]:
    """pdfplumber char dicts → printed lines, top to bottom."""
    bands: list[_Band] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if not ch.get("text", "").strip():
            continue
        height = max(ch["bottom"] - ch["top"], 0.1)
        best, best_overlap = None, 0.0
        # Only the last few bands can overlap: characters come sorted by top.
        for band in bands[-4:]:
            overlap = min(band.bottom, ch["bottom"]) - max(band.top, ch["top"])
            need = _MIN_OVERLAP * min(height, max(band.bottom - band.top, 0.1))
            if overlap >= need and overlap > best_overlap:
                best, best_overlap = band, overlap
        if best is None:
            bands.append(_Band(ch["top"], ch["bottom"], [ch]))
        else:
            best.chars.append(ch)
            # The band is the line's body: it grows only with characters of the line's own size,
            # so that one raised figure does not pull the next line in.
            if height >= 0.8 * (best.bottom - best.top):
                best.top, best.bottom = min(best.top, ch["top"]), max(best.bottom, ch["bottom"])
    return [_line(b) for b in sorted(bands, key=lambda b: b.top)]


def _line(band: _Band) -> PrintedLine:
    chars = sorted(band.chars, key=lambda c: c["x0"])
    text: list[str] = []
    boxes: list[Optional[Box]] = []
    prev = None
    for ch in chars:
        if prev is not None:
            width = max(min(ch["x1"] - ch["x0"], prev["x1"] - prev["x0"]), 1.0)
            if ch["x0"] - prev["x1"] > _SPACE_GAP * width:
                text.append(" ")
                boxes.append(None)
        for piece in ch["text"]:
            text.append(piece)
            boxes.append((ch["x0"], ch["top"], ch["x1"], ch["bottom"]))
        prev = ch
    sizes = [c.get("size", 0.0) for c in chars]
    return PrintedLine("".join(text), band.top, band.bottom, max(sizes, key=sizes.count) if sizes else 0.0, boxes)


def union(boxes: Iterable[Optional[Box]]) -> Optional[Box]:
    """The smallest box around the given ones (None when there are none)."""
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))
