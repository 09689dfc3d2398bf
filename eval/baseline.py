"""The naive LangChain RAG the system is compared with, run in the same evaluation.

Raw document text (for PDFs: pdfplumber's page text, pages joined) → RecursiveCharacterTextSplitter
(500 characters, overlap 50) → langchain_chroma.Chroma (embedded, in a temp dir, with the system's
own embedding model from indexing/embeddings.py, so only the pipeline differs) → top-k by cosine.
The answer is the retrieved sentence (of the top 4 chunks) with the highest character overlap with
the question. It never refuses, never computes, and quotes verbatim.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Optional

from eval.metrics import char_overlap

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
ANSWER_TOP = 4
_SENT_RE = re.compile(r"[^。！？；\n]+[。！？；]?")


def raw_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return path.read_text(encoding="utf-8", errors="replace")


class NaiveRAG:
    def __init__(self, embeddings, directory: Optional[str] = None):
        import chromadb
        from chromadb.config import Settings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="budgetqa-baseline-")
            directory = self._tmp.name
        client = chromadb.PersistentClient(path=directory, settings=Settings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name="baseline", embedding_function=embeddings,
                            collection_metadata={"hnsw:space": "cosine"})
        self.splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)

    def add(self, path: Path, doc_id: str) -> int:
        chunks = self.splitter.split_text(raw_text(path))
        if chunks:
            self.store.add_texts(chunks, metadatas=[{"doc_id": doc_id}] * len(chunks),
                                 ids=[f"{doc_id}:{i}" for i in range(len(chunks))])
        return len(chunks)

    def search(self, question: str, k: int, doc_id: str) -> list[str]:
        return [d.page_content for d in self.store.similarity_search(question, k=k, filter={"doc_id": doc_id})]

    @staticmethod
    def answer(question: str, chunks: list[str]) -> tuple[str, Optional[str]]:
        """(answer sentence, the chunk it came from); ("", None) when nothing was retrieved."""
        best, score, source = "", -1.0, None
        for chunk in chunks[:ANSWER_TOP]:
            for sent in _SENT_RE.findall(chunk):
                s = char_overlap(question, sent)
                if s > score:
                    best, score, source = sent.strip(), s, chunk
        return best, source

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
