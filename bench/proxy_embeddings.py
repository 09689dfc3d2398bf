"""Vectors by template proxy, for bench/answer_latency.py (bench/answer_cases.py grows its index to
1,000 documents without embedding every chunk): the real model until a budget, then the vector of an earlier text
with the same template (names and digits masked), head, or the previous one. Counted exactly, so
its report says how many vectors are real. bench/index_scale.py no longer uses it: it embeds
every chunk for real.
"""

from __future__ import annotations

import re
import time

from langchain_core.embeddings import Embeddings

_DIGITS = re.compile(r"\d[\d,.]*")


class BenchEmbeddings(Embeddings):
    """The real model, plus template proxies once `proxy` is switched on (see the module doc).
    Exact-text reuse happens before this class is asked, in the VectorStore's embedding cache."""

    def __init__(self, real, real_budget: int = 1500):
        self.real = real
        self.real_budget = real_budget  # real embeddings allowed once proxies are on
        self.real_in_proxy = 0
        self.heads: dict[str, list[float]] = {}
        self.head_proxied = 0
        self.fallback = 0
        self.last = None
        self.name = real.name
        self.fingerprint = real.fingerprint  # exact-text cache hits are real vectors of this model
        self.proxy = False
        self.names: list[str] = []  # department/region of the document being ingested
        self.templates: dict[str, list[float]] = {}
        self.embedded = 0  # chunks the model really encoded
        self.proxied = 0  # chunks given the vector of an earlier text with the same template
        self.embed_seconds = 0.0

    def template(self, text: str) -> str:
        for name in self.names:
            text = text.replace(name, "<D>")
        return _DIGITS.sub("#", text)

    def embed_documents(self, texts):
        texts = list(texts)
        keys = [self.template(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if not (self.proxy and k in self.templates)]
        if self.proxy:
            todo = todo[: max(0, self.real_budget - self.real_in_proxy)]
            self.real_in_proxy += len(todo)
        out: list = [None] * len(texts)
        if todo:
            t0 = time.perf_counter()
            vectors = self.real.embed_documents([texts[i] for i in todo])
            self.embed_seconds += time.perf_counter() - t0
            self.embedded += len(todo)
            for i, v in zip(todo, vectors):
                out[i] = v
                self.templates.setdefault(keys[i], v)
                self.heads.setdefault(self.head(keys[i]), v)
                self.last = v
        for i, k in enumerate(keys):
            if out[i] is None:
                if k in self.templates:
                    out[i] = self.templates[k]
                    self.proxied += 1
                elif self.head(k) in self.heads:
                    out[i] = self.heads[self.head(k)]
                    self.head_proxied += 1
                else:
                    out[i] = self.last
                    self.fallback += 1
        return out

    @staticmethod
    def head(template: str) -> str:
        return template.split(": ", 1)[0].split("\n", 1)[0]

    def embed_query(self, text):
        return self.real._encode([text])[0]  # bypass the query LRU: every query pays for its embedding
