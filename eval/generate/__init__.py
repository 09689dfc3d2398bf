"""Generator of fictional budget disclosures with gold labels (issue 7, part 3).

`generate_corpus(out_dir, n, seed)` writes n documents (text and/or PDF, in several province template
styles) with one label file each, built from a consistent random budget and with labelled injected
errors. The same seed gives byte-identical output.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable, Iterable, Optional

from eval.generate.document import GenDoc, build_doc
from eval.generate.inject import KINDS, inject
from eval.generate.labels import build_label, dumps
from eval.generate.styles import STYLES, resolve_styles

__all__ = ["generate_corpus", "generate_doc", "KINDS", "STYLES"]


def generate_doc(index: int, seed: int, style: str, errors: int = 2, kinds: Optional[list[str]] = None) -> GenDoc:
    """One document: budget, tables and narrative from (seed, index), then `errors` injected errors."""
    doc_seed = random.Random(f"{seed}:{index}").randrange(2**31)  # str seeds hash deterministically
    doc = build_doc(doc_seed, style, f"gen_{index:04d}_{style}")
    if errors:
        inject(doc, random.Random(doc_seed + 1), errors, kinds)
    return doc


def generate_corpus(out_dir: str | Path, n: int, seed: int = 1, *, errors_per_doc: int = 2,
                    formats: Iterable[str] = ("text",), styles: str | list[str] = "all",
                    kinds: Optional[list[str]] = None, progress: Optional[Callable[[int], None]] = None) -> list[Path]:
    """Write n documents and their labels under out_dir/{docs,labels}; returns the label paths.

    Document i uses style i mod len(styles), so every style is represented."""
    from eval.generate.render_text import render_text

    formats = list(formats)
    bad = set(formats) - {"text", "pdf"}
    if bad:
        raise ValueError(f"unknown format(s) {sorted(bad)}")
    style_ids = resolve_styles(styles) if isinstance(styles, str) else list(styles)
    out = Path(out_dir)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    labels = []
    for i in range(n):
        doc = generate_doc(i, seed, style_ids[i % len(style_ids)], errors_per_doc, kinds)
        files = {}
        if "text" in formats:
            files["text"] = f"{doc.name}.txt"
            (out / "docs" / files["text"]).write_text(render_text(doc), encoding="utf-8")
        if "pdf" in formats:
            from eval.generate.render_pdf import render_pdf

            files["pdf"] = f"{doc.name}.pdf"
            (out / "docs" / files["pdf"]).write_bytes(render_pdf(doc))
        path = out / "labels" / f"{doc.name}.json"
        path.write_text(dumps(build_label(doc, files)), encoding="utf-8")
        labels.append(path)
        if progress:
            progress(1)
    return labels
