"""The `Index` facade: ingest, delete, replace, list, count, search — crash-safe and idempotent.

A document's identity is its content hash (`Document.id`): ingesting the same bytes again changes
nothing. Writing order, so that a crash at any point leaves nothing half-visible:
  1. one SQLite transaction: the document row in state 'pending' + its chunks + its figures;
  2. add the embedded chunks' vectors to Chroma;
  3. mark the document 'ready'.
The slow part — chunking, jieba tokens and the vectors of the embedded chunks (indexing/stores.py
`embedded`) — is `prepare`, a pure function of the document and the model: batch workers
(indexing/batch.py) and the service's embedding worker run it in other processes, and only the
short writes (`Index.commit`) run in the one process that owns the index.
Readers (search, figures, listing) only see 'ready' documents, and search drops any hit whose
document is not ready. Deleting marks 'deleting' first, then removes vectors, then rows. On open,
leftovers in 'pending'/'deleting' (a crash) are removed from Chroma and SQLite.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

from indexing import catalog, figures_store
from indexing.bm25 import tokenize
from indexing.chunks import Chunk, chunk_document
from indexing.figures_store import FiguresStore
from indexing.model import Document
from indexing.retrieve import Filters, Hit, Mode, Retriever
from indexing.settings import Settings
from indexing.stores import VectorStore, embed_texts, embedded

log = logging.getLogger(__name__)
SUFFIXES = (".pdf", ".txt", ".md")


class IndexMismatch(RuntimeError):
    pass


@dataclass(frozen=True)
class IngestResult:
    doc_id: str
    source: str
    status: str  # added | unchanged | failed
    chunks: int = 0
    figures: int = 0
    error: Optional[str] = None
    timings: dict = field(default_factory=dict, compare=False)  # seconds per phase: read, chunk_s, embed_s, commit_s


@dataclass
class Prepared:
    """A document ready to be written: its chunks, their BM25 tokens and the vectors of its embedded
    chunks (in chunk order), computed by `model` (the writer refuses vectors of another model)."""
    doc: Document
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: Sequence[Sequence[float]]
    model: str
    timings: dict = field(default_factory=dict)


@lru_cache(maxsize=1 << 16)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(tokenize(piece))


def chunk_tokens(text: str) -> list[str]:
    """`tokenize(text)`, one space-separated piece at a time, each piece's tokens remembered.

    Exact, not an approximation: jieba never makes a token across a space (a space ends a run of
    Han/alphanumeric characters, and the other runs are split at whitespace), and tokenize's
    clean-up (quotes, thousands commas, lower case) never looks across one. It pays because a table
    row's chunk repeats its table's heading and column names (bench/ingest_speed.py: ~40% less
    jieba time on ../shared); tests/index/test_ingest_tokens.py checks equality on real chunks."""
    return [t for piece in text.split(" ") for t in _piece_tokens(piece)]


def prepare(doc: Document, embeddings, cache=None) -> Prepared:
    """Chunk, tokenise and embed one document; touches no index."""
    t0 = time.perf_counter()
    chunks = chunk_document(doc)
    tokens = [chunk_tokens(c.text) for c in chunks]
    t1 = time.perf_counter()
    vectors = embed_texts(embeddings, cache, [c.text for c in chunks if embedded(c)])
    t2 = time.perf_counter()
    return Prepared(doc, chunks, tokens, vectors, getattr(embeddings, "name", type(embeddings).__name__),
                    {"chunk_s": t1 - t0, "embed_s": t2 - t1})


class Index:
    def __init__(self, settings: Settings, *, embeddings=None, recover: bool = True):
        from indexing.embeddings import get_embeddings

        self.settings = settings
        self.embeddings = embeddings or get_embeddings(settings.embedding_model, batch_size=settings.embed_batch_size)
        self.model_name = getattr(self.embeddings, "name", type(self.embeddings).__name__)
        self.conn = catalog.connect(settings.sqlite_path)
        self._check_model()
        self.vectors = VectorStore.open(settings, self.embeddings)
        self.retriever = Retriever(self.conn, self.vectors)
        self.figures = FiguresStore(self.conn)
        if recover:
            self.recover()

    @classmethod
    def open(cls, data_dir: str | Path | None = None, settings: Optional[Settings] = None, **kwargs) -> "Index":
        settings = settings or Settings.from_env()
        if data_dir is not None:
            settings = settings.with_(data_dir=Path(data_dir))
        return cls(settings, **kwargs)

    def _check_model(self) -> None:
        """Vectors from two models are not comparable: refuse to mix them in one index."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        if row is None:
            self.conn.execute("INSERT INTO meta(key, value) VALUES ('embedding_model', ?)", (self.model_name,))
        elif row[0] != self.model_name:
            raise IndexMismatch(
                f"index in {self.settings.data_dir} was built with embedding model {row[0]!r}, "
                f"settings select {self.model_name!r}: use another data folder or re-ingest"
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def ingest(self, source: str | Path | Document) -> IngestResult:
        t0 = time.perf_counter()
        doc = source if isinstance(source, Document) else self._read(source)
        read_s = time.perf_counter() - t0
        state = catalog.status_of(self.conn, doc.id)
        if state == "ready":
            return IngestResult(doc.id, doc.source, "unchanged")
        result = self.commit(prepare(doc, self.embeddings, self.vectors.cache))
        result.timings["read_s"] = read_s
        return result

    def is_ready(self, doc_id: str) -> bool:
        return catalog.status_of(self.conn, doc_id) == "ready"

    def commit(self, prepared: Prepared) -> IngestResult:
        """Write a prepared document (the short part of ingest: SQLite and Chroma, no model)."""
        t0 = time.perf_counter()
        doc, chunks = prepared.doc, prepared.chunks
        if prepared.model != self.model_name:
            raise IndexMismatch(f"vectors of {prepared.doc.source} come from model {prepared.model!r}, "
                                f"this index holds {self.model_name!r}")
        state = catalog.status_of(self.conn, doc.id)
        if state == "ready":
            return IngestResult(doc.id, doc.source, "unchanged")
        if state is not None:  # a leftover of a crash: start clean
            self._purge(doc.id)
        with catalog.transaction(self.conn) as conn:
            catalog.insert_document(conn, doc, chunks, prepared.tokens, self.model_name)
            n_figures = figures_store.insert_document(conn, doc)
        try:
            self.vectors.add(chunks, prepared.vectors)
        except BaseException:
            # Best effort; if the process dies here instead, the next open() cleans up.
            self._purge(doc.id, quiet=True)
            raise
        with catalog.transaction(self.conn) as conn:
            catalog.set_status(conn, doc.id, "ready", n_figures=n_figures)
        return IngestResult(doc.id, doc.source, "added", len(chunks), n_figures,
                            timings={**prepared.timings, "commit_s": time.perf_counter() - t0})

    def ingest_many(self, sources: Iterable[str | Path | Document], *, progress: bool = True,
                    stop_on_error: bool = False) -> list[IngestResult]:
        """Folders expand to their PDF/text files. A file that cannot be read is reported, not fatal."""
        from tqdm import tqdm

        from indexing.read.errors import ReadError

        items = list(expand(sources))
        results = []
        for item in tqdm(items, desc="ingest", unit="doc", disable=not progress):
            try:
                results.append(self.ingest(item))
            except ReadError as exc:
                if stop_on_error:
                    raise
                name = item.source if isinstance(item, Document) else str(item)
                results.append(IngestResult("", name, "failed", error=f"{exc.zh} / {exc.en}"))
        return results

    def delete(self, doc_id: str) -> bool:
        if catalog.status_of(self.conn, doc_id) is None:
            return False
        with catalog.transaction(self.conn) as conn:
            catalog.set_status(conn, doc_id, "deleting")  # invisible from here on
        self._purge(doc_id)
        return True

    def replace(self, old_doc_id: str, source: str | Path | Document) -> IngestResult:
        """A revised disclosure: the new one is indexed first, so a failure keeps the old one."""
        result = self.ingest(source)
        if result.doc_id != old_doc_id:
            self.delete(old_doc_id)
        return result

    def recover(self) -> list[str]:
        """Remove documents left 'pending' or 'deleting' by a crash. Returns their ids."""
        leftovers = [r.doc_id for r in catalog.list_documents(self.conn, status=None) if r.status != "ready"]
        for doc_id in leftovers:
            log.warning("cleaning up half-indexed document %s", doc_id)
            self._purge(doc_id)
        return leftovers

    def _purge(self, doc_id: str, quiet: bool = False) -> None:
        try:
            self.vectors.delete_ids(catalog.chunk_ids_of(self.conn, doc_id))
            self.vectors.delete_document(doc_id)
            with catalog.transaction(self.conn) as conn:
                catalog.delete_rows(conn, doc_id)
        except Exception:
            if not quiet:
                raise
            log.exception("clean-up of %s failed; it stays invisible and is retried on next open", doc_id)

    @staticmethod
    def _read(path: str | Path) -> Document:
        from indexing.read import read_document

        return read_document(path)

    # ------------------------------------------------------------------ reading

    def documents(self):
        return catalog.list_documents(self.conn)

    def document(self, doc_id: str) -> Optional[Document]:
        text = catalog.get_document_json(self.conn, doc_id)
        return Document.from_json(text) if text else None

    def warm(self) -> bool:
        """Build now what the next search would otherwise build first (the BM25 index over the ready
        chunks). Returns whether anything was built."""
        if not self.retriever.stale():
            return False
        self.retriever.bm25()
        return True

    def counts(self) -> dict[str, int]:
        out = catalog.counts(self.conn)
        out["vectors"] = self.vectors.count()
        out["embedded"] = catalog_embedded(self.conn)  # what `vectors` should be: the embedded chunks
        return out

    def search(self, query: str, k: int = 5, *, mode: Mode = "hybrid", department: Optional[str] = None,
               year: Optional[int] = None, table_type: Optional[str] = None,
               doc_id: Optional[str | list[str]] = None, kind: Optional[str] = None,
               chunk_kind: Optional[str] = None) -> list[Hit]:
        filters = Filters(department=department, year=year, kind=kind, doc_id=doc_id, table_type=table_type,
                          chunk_kind=chunk_kind)
        return self.retriever.search(query, k=k, filters=filters, mode=mode)


def catalog_embedded(conn) -> int:
    """Chunks of the catalogue that have a vector by the rule of indexing/stores.py `embedded`."""
    from indexing.stores import NOT_EMBEDDED

    kinds = sorted(NOT_EMBEDDED)
    q = ",".join("?" * len(kinds))
    return conn.execute(
        "SELECT COUNT(*) FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status = 'ready'"
        f" AND coalesce(json_extract(c.metadata, '$.chunk_kind'), '') NOT IN ({q})", kinds
    ).fetchone()[0]


def expand(sources: Iterable[str | Path | Document]) -> Iterable[str | Path | Document]:
    """Files and folders → what to ingest. A disclosure published as several files of one folder
    (`X_narrative.pdf` + `X_tables.pdf`) is read here and ingested as one document; a part that
    cannot be read is handed on as a path, so that its error is reported like any file's."""
    from indexing.read.errors import ReadError
    from indexing.read.multi import group_parts, read_parts

    files: list[Path] = []
    for s in sources:
        if isinstance(s, Document):
            yield s
            continue
        p = Path(s)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            files.append(p)
    for group in group_parts(files):
        if len(group) == 1:
            yield group[0]
            continue
        try:
            yield read_parts(group)
        except ReadError:
            yield from group
