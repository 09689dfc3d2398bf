"""Real documents read once per session; skipped with the reason when the corpus or a reader is missing."""

from __future__ import annotations

from pathlib import Path

import pytest


def _read_all(folder: Path, pattern: str):
    try:
        from indexing.read import read_document
    except ImportError as exc:  # pragma: no cover - readers are built by other engineers
        pytest.skip(f"indexing.read is not available yet: {exc}")
    docs = []
    for path in sorted(folder.glob(pattern)):
        try:
            docs.append(read_document(path))
        except (ImportError, NotImplementedError) as exc:
            pytest.skip(f"the reader for {path.name} is not available yet: {exc}")
    if not docs:
        pytest.skip(f"no {pattern} in {folder}")
    return docs


@pytest.fixture(scope="session")
def seed_docs(seeds_dir):
    return _read_all(seeds_dir, "*.txt")


@pytest.fixture(scope="session")
def pdf_docs(pdfs_dir):
    return _read_all(pdfs_dir, "*.pdf")
