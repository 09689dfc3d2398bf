"""BM25 over jieba tokens, with a user dictionary of budget terms.

Dense m3e-small is modest on this domain; exact terms (三公经费, 机关运行经费, codes like 2080505)
are what BM25 catches. jieba would split 机关运行经费 into 机关/运行/经费, so the terms are added
to its dictionary. The index is rebuilt from the token lists kept in SQLite (fast: no re-tokenising),
so it never disagrees with the stored chunks.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Iterable, Optional, Sequence

import numpy as np

BUDGET_TERMS = (
    "三公经费", "“三公”经费", "一般公共预算", "一般公共预算拨款", "机关运行经费", "机构运行经费", "项目支出", "基本支出",
    "人员经费", "公用经费", "政府性基金", "政府性基金预算", "财政拨款", "公务接待费", "公务用车运行维护费",
    "公务用车购置费", "公务用车购置及运行费", "因公出国（境）费", "因公出国费", "政府采购", "国有资产",
    "国有资本经营预算", "上年结转", "收入总计", "支出总计", "本年收入", "本年支出", "事业收入", "经营收入",
    "其他收入", "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "社会保障和就业支出",
    "卫生健康支出", "住房保障支出", "一般公共服务支出", "行政运行", "事业运行", "绩效目标", "整体绩效",
    "项目绩效", "名词解释", "部门预算", "部门决算", "单位预算", "预算单位", "医疗救助", "厉行节约",
    "机关事业单位基本养老保险缴费支出", "住房公积金", "职业年金", "空表", "增加", "减少", "持平",
    "公务用车", "日常公用经费", "财政专户", "单位资金", "专项转移支付", "固定资产", "绩效评价", "项目绩效目标",
    "整体绩效目标", "财政拨款收入", "一般公共预算财政拨款", "政府采购预算", "配套资金", "上年结转结余",
    "对个人和家庭的补助支出", "机关事业单位", "行政事业单位", "支出预算", "收入预算", "预算数",
)
# Query-side expansion: names a reader uses interchangeably for the same thing. Applied to the query
# only (documents keep their own wording), so a question in either wording finds both.
QUERY_SYNONYMS = (
    ("机关运行经费", "机构运行经费"),
    ("三公经费", "“三公”经费"),
    ("公务用车", "公务车", "车辆"),
    ("因公出国（境）费", "因公出国费"),
)
_PUNCT = re.compile(r"^[\s\W_]+$", re.UNICODE)
# Function words and question words: they say what is asked, not about what ("分别是多少").
_STOP = {
    "的", "和", "及", "与", "为", "是", "在", "了", "其中", "我", "该", "吗", "呢", "有", "年", "这个", "那个", "都",
    "多少", "多少钱", "是多少", "什么", "哪些", "哪个", "为什么", "怎么", "怎样", "如何", "分别", "各", "有没有",
    "是否", "一致", "吗", "呢", "请问", "情况", "比", "占", "比例", "比重", "多", "少", "这", "那", "安排", "了吗",
}

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():
    global _jieba_ready
    import jieba

    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            for term in BUDGET_TERMS:
                jieba.add_word(term, freq=200000)
            _jieba_ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (so 三公经费 also yields 三公/经费), minus punctuation and stop words.
    Quotes are dropped first so “三公”经费 and 三公经费 tokenise alike."""
    text = re.sub(r"[“”\"'‘’「」]", "", text or "").lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 14,348,853.34 is one token, as in a query
    out = []
    for tok in _jieba().cut_for_search(text):
        tok = tok.strip()
        if tok and tok not in _STOP and not _PUNCT.match(tok):
            out.append(tok)
    return out


def expand_query(query: str) -> str:
    """Append the synonyms of the terms a query uses (see QUERY_SYNONYMS)."""
    extra = []
    for group in QUERY_SYNONYMS:
        if any(term in query for term in group):
            extra += [t for t in group if t not in query]
    return f"{query} {' '.join(extra)}" if extra else query


class BM25Index:
    """In-memory bm25s index over (chunk id, tokens). Chunks are addressed by their position in
    `ids`; a search takes an optional sorted array of the positions it may return (metadata filters
    and 'ready documents only', computed by the caller once per search).

    Scoring touches only what it must: over every chunk, bm25s adds the postings of the query's
    terms (an inverted index: cost grows with how many chunks hold those terms, not with the index);
    over a few allowed chunks (one document's ~150 of 140,000), a row-major copy of the same BM25
    weights scores just those rows. Either way the scores are bm25s's own, so rankings agree."""

    # Below this share of the index, scoring the allowed rows beats adding whole postings lists.
    ROWS_SHARE = 0.125

    def __init__(self, ids: Sequence[str], token_lists: Sequence[list[str]]):
        import bm25s

        self.ids = list(ids)
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self._model: Optional["bm25s.BM25"] = None
        self._vocab: dict[str, int] = {}
        self._rows = None
        if self.ids:
            self._model = bm25s.BM25()
            # An empty token list breaks nothing but scores zero; bm25s needs at least one token.
            self._model.index([t or ["∅"] for t in token_lists], show_progress=False)
            self._vocab = self._model.vocab_dict
            self._rows = _row_major(self._model.scores)

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, chunk_ids: Iterable[str]) -> np.ndarray:
        """Sorted positions of the given chunk ids (unknown ids are left out)."""
        return np.array(sorted({self._pos[c] for c in chunk_ids if c in self._pos}), dtype=np.int64)

    def search(self, query: str, k: int = 10, allowed: Optional[Iterable[str]] = None) -> list[tuple[str, float]]:
        """The k best chunks for `query` among the `allowed` chunk ids (None: all)."""
        where = None if allowed is None else self.positions(allowed)
        return self.top(*self.scores(query, where), k)

    def scores(self, query: str, where: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, BM25 scores) of the chunks at `where` (sorted positions; None: every chunk).
        A caller ranking several subsets for one query (intents) scores once and slices."""
        where = np.arange(len(self.ids), dtype=np.int64) if where is None else where
        token_ids = self._token_ids(query)
        if self._model is None or not token_ids or not len(where):
            return where[:0], np.zeros(0, dtype=np.float32)
        if len(where) < self.ROWS_SHARE * len(self.ids):
            counts = np.bincount(np.asarray(token_ids), minlength=self._rows.shape[1]).astype(np.float32)
            values = np.asarray(self._rows[where] @ counts, dtype=np.float32).ravel()
            if self._model.nonoccurrence_array is not None:
                values = values + self._model.nonoccurrence_array[token_ids].sum()
        else:
            values = self._model.get_scores(list(token_ids))[where]
        return where, values

    def top(self, where: np.ndarray, values: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k best (chunk id, score) with a positive score, best first; ties by position (the
        catalogue's order: document, then place in it), so results are reproducible."""
        keep = np.isfinite(values) & (values > 0)
        where, values = where[keep], values[keep]
        if not len(where) or k <= 0:
            return []
        if len(where) > k:
            cut = np.argpartition(-values, k - 1)[:k]
            # every chunk tying with the k-th score stays a candidate, so ties break by position
            cut = np.flatnonzero(values >= values[cut].min())
            where, values = where[cut], values[cut]
        order = np.lexsort((where, -values))[:k]
        return [(self.ids[where[i]], float(values[i])) for i in order]

    def _token_ids(self, query: str) -> tuple[int, ...]:
        return tuple(self._vocab[t] for t in query_tokens(query) if t in self._vocab)


@lru_cache(maxsize=4096)
def query_tokens(query: str) -> tuple[str, ...]:
    """The tokens BM25 looks up for a query, synonyms added (a service asks the same questions
    over and over; jieba costs about a millisecond a question)."""
    return tuple(tokenize(expand_query(query)))


def _row_major(scores: dict):
    """bm25s keeps BM25 weights term by term (CSC: postings lists); the same weights chunk by chunk
    (CSR), so a search among a few chunks reads only their rows."""
    from scipy import sparse

    n_terms = len(scores["indptr"]) - 1  # bm25s's vocabulary may hold one more entry than it scores
    by_term = sparse.csc_matrix((scores["data"], scores["indices"], scores["indptr"]),
                                shape=(int(scores["num_docs"]), n_terms))
    return by_term.tocsr()
