"""The answer being written: its lines, the evidence it cites (in citation order), the figures it
uses and the arithmetic it shows; verbatim excerpts; and the refusal "文件未说明…" with what the
document says nearby. Shared by the default answerer (service/answer.py), its passage handlers
(service/passages.py) and the semantic layer (service/semantic/)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from pydantic import BaseModel, Field

from service.evidence import Evidence, FigureFact

NO_INFO = "文件未说明相关信息。"
_DECLINES = re.compile(r"文件未(?:说明|列出|披露|提供)|文件中没有相关信息")


def declines(text: str) -> bool:
    """The answer says the documents do not hold what was asked (the default answerer's and the model's
    words for it, prompts/answer.md)."""
    return bool(_DECLINES.search(text or ""))
CENT = Decimal("0.01")
RANKING_SHOWN = 10  # a ranking across departments lists this many, then says the rest are left out


class UsedFigure(BaseModel):
    label: str
    value: str  # as printed (Decimal kept as text)
    unit: Optional[str] = None
    evidence_id: str


class Draft(BaseModel):
    text: str
    cited: list[Evidence] = Field(default_factory=list)  # in citation order: [1] is cited[0]
    figures: list[UsedFigure] = Field(default_factory=list)
    arithmetic: list[str] = Field(default_factory=list)
    answerable: bool = True
    mode: str = "default"


class _Builder:
    def __init__(self):
        self.lines: list[str] = []
        self.cited: list[Evidence] = []
        self.figures: list[UsedFigure] = []
        self.arithmetic: list[str] = []

    def cite(self, ev: Evidence) -> str:
        for i, c in enumerate(self.cited):
            if c.id == ev.id:
                return f"[{i + 1}]"
        self.cited.append(ev)
        return f"[{len(self.cited)}]"

    def figure(self, f: FigureFact) -> str:
        self.figures.append(UsedFigure(label=f.label, value=f.raw.rstrip("万元亿%"), unit=f.unit, evidence_id=f.evidence.id))
        return f"{f.label}{_amount(f)}{self.cite(f.evidence)}"

    def quote(self, ev: Evidence, focus: tuple[str, ...] = (), size: int = 180) -> None:
        line = f"{self.cite(ev)} 「{window(ev.text, focus, size)}」"
        if line not in self.lines:
            self.lines.append(line)

    def draft(self, answerable: bool = True) -> Draft:
        return Draft(text="\n".join(self.lines).strip(), cited=self.cited, figures=self.figures,
                     arithmetic=self.arithmetic, answerable=answerable)


def window(text: str, focus: tuple[str, ...] = (), size: int = 180) -> str:
    """A verbatim excerpt: long items (tables flattened into one 'sentence') are cut to `size`
    characters around the first focus word, so quotes stay readable and still exact."""
    if len(text) <= size:
        return text
    at = min([i for i in (text.find(f) for f in focus if f) if i >= 0] or [0])
    start = max(0, min(at - size // 3, len(text) - size))
    end = start + size
    # never cut through a number: a cut "42.53" would read as 42
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".,") and text[start].isdigit():
        start -= 1
    while end < len(text) and text[end - 1].isdigit() and (text[end].isdigit() or text[end] in ".,%"):
        end += 1
    while end < len(text) and text[end - 1] in ".," and text[end].isdigit():
        end += 1
        while end < len(text) and text[end].isdigit():
            end += 1
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _amount(f: FigureFact) -> str:
    raw = f.raw.strip()
    return raw if re.search(r"[元%个人辆]$", raw) else f"{raw}{f.unit or ''}"


def _pct(num: Decimal, den: Decimal) -> Decimal:
    return (num / den * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _num(f: FigureFact) -> str:
    return f.raw.rstrip("万元亿%").replace(",", "")


def declined(reason: str = "", what: str = "", nearby: list[Evidence] = (), terms: tuple = ()) -> Draft:
    """"文件未说明X。", then what the document does say nearby (the best passages, quoted)."""
    b = _Builder()
    b.lines.append((f"文件未说明{what}。" if what else NO_INFO) + (reason or ""))
    near = [ev for ev in nearby if not ev.suspicious][:2]
    if near:
        b.lines.append("文件中与此相关的内容：")
        for ev in near:
            b.quote(ev, terms)
    return b.draft(answerable=False)


# ---------------------------------------------------------------------------------------------
