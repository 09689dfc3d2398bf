"""Run every rule family on a document → a `DocumentReport`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from indexing.model import Document

from checking.align import LabelIndex
from checking.claims import extract_claims
from checking.findings import DocumentReport, Finding
from checking.rules import CheckContext
from checking.rules import arithmetic, completeness, cross_table, editorial, final_accounts, narrative, performance

if TYPE_CHECKING:
    from checking.llm_claims import LLMClaimHook

FAMILIES = (narrative, performance, final_accounts, arithmetic, cross_table, completeness, editorial)


def check_document(doc: Document, use_llm: Optional[bool] = None, llm_hook: Optional["LLMClaimHook"] = None) -> DocumentReport:
    return run_checks(doc, use_llm=use_llm, llm_hook=llm_hook)[0]


def run_checks(doc: Document, use_llm: Optional[bool] = None,
               llm_hook: Optional["LLMClaimHook"] = None) -> tuple[DocumentReport, CheckContext]:
    """The report and the context it came from (claims, alignment) for evaluation.

    use_llm: also send the sentences no rule could type to the LLM endpoint (checking/llm_claims.py);
    None reads BUDGETQA_CHECK_LLM (off by default), and it needs BUDGETQA_LLM_BASE_URL. llm_hook: a
    given LLMClaimHook (its model, its stats), which turns the LLM path on."""
    t0 = time.perf_counter()
    hook = None
    if llm_hook is not None or use_llm or (use_llm is None and _llm_configured()):
        from checking.llm_claims import make_hook

        hook = make_hook(doc, use_llm=use_llm, hook=llm_hook)
    claims = extract_claims(doc, hook=hook)
    ctx = CheckContext(doc=doc, claims=claims, index=LabelIndex(doc))
    findings: list[Finding] = []
    for family in FAMILIES:
        findings += family.run(ctx)
    report = DocumentReport(
        doc_id=doc.id,
        source=doc.source,
        format=doc.format,
        year=doc.meta.year,
        kind=doc.meta.kind,
        department=doc.meta.department,
        claims=len(claims),
        aligned=len(ctx.aligned),
        findings=_dedupe(findings),
    )
    report.seconds = round(time.perf_counter() - t0, 4)
    return report, ctx


def _llm_configured() -> bool:
    from service.config import get_config

    return get_config().check_llm


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same statement repeated is a separate claim, but one finding per identical message and place."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.code, f.message)
        if key in seen:
            prev = seen[key]
            if f.evidence and f.evidence[0].side == "narrative":
                prev.evidence.append(f.evidence[0])  # the same statement made again elsewhere
            continue
        seen[key] = f
    return list(seen.values())


def expand_paths(paths: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".pdf", ".txt", ".md", ".json"))
        else:
            out.append(p)
    return out


def check_path(path: Path, use_llm: Optional[bool] = None) -> tuple[Document | None, DocumentReport]:
    from indexing.read import read_document
    from indexing.read.errors import ReadError

    try:
        if path.suffix.lower() == ".json":
            doc = Document.from_json(path.read_text(encoding="utf-8"))
        else:
            doc = read_document(path)
    except ReadError as exc:
        return None, DocumentReport(doc_id="", source=path.name, format="?", error=f"{exc.zh} / {exc.en}")
    return doc, check_document(doc, use_llm=use_llm)
