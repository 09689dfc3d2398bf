"""LLM-assisted claim extraction for narrative sentences no rule could type (optional, OFF by default).

`LLMClaimHook` plugs into `checking.claims.extract_claims` as the `unparsed_hook`: each call records the
sentence and returns nothing; `flush()` (called by extract_claims at the end) sends the sentences in
small batches to the OpenAI-compatible endpoint of service/llm.py (ChatOpenAI through
`make_chat_model`, prompt in prompts/claim_extraction.md) and returns, per recorded sentence, the
claims that survived verification.

The model is never trusted with figures:
- every `value` must occur in its sentence (`find_numbers`: same Decimal, same unit when one is
  given); otherwise the claim is dropped and counted. The kept claim takes the sentence's own printed
  figure (raw, decimals, unit, offset), not the model's string;
- the kind must fit the unit (money / % / count); a direction word and a compared year are kept only
  when printed in the sentence; a metric that is not words of the sentence is replaced by the
  rule-based label (`clean_metric`);
- the model does no arithmetic: kept claims (source="llm") go through the same alignment and rule
  families as rule-extracted ones, and every finding on them quotes the sentence.
Invalid output, a refused request or a dead endpoint → no claims, never an exception to the caller.

Where each part lives: the model's output and its parsing in llm_reply.py, the verification of each
claim against its sentence in llm_verify.py; this module sends the batches and ties the kept claims
to the sentence's amounts.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Optional

from checking.claims import Claim, UnparsedHook, _link
from checking.llm_reply import LLMClaim, LLMClaimList, parse_reply
from checking.llm_verify import Stats, model_value, verify
from indexing.model import Document, Section
from indexing.numbers import find_numbers

log = logging.getLogger(__name__)

PROMPT_PATH = Path(__file__).resolve().parents[1] / "prompts" / "claim_extraction.md"
BATCH_SIZE = 3
DATA_BEGIN, DATA_END = "<<<句子开始>>>", "<<<句子结束>>>"
_MARKER_RE = re.compile(r"<<<|>>>")


def env_enabled() -> bool:
    from service.config import get_config

    return get_config().check_llm


def build_messages(sentences: list[str], year: Optional[int], kind: Optional[str]) -> list:
    from langchain_core.messages import HumanMessage, SystemMessage

    from service.llm import load_prompt

    system, user = load_prompt(PROMPT_PATH)
    body = "\n".join(f"{i}. {_MARKER_RE.sub('', s.strip())}" for i, s in enumerate(sentences, 1))
    filled = user.replace("{year}", str(year or "未知")).replace("{kind}", kind or "未知").replace("{sentences}", body)
    return [SystemMessage(content=system), HumanMessage(content=filled)]


class LLMClaimHook:
    """A batching `unparsed_hook`. Use one per document (it holds that document's pending sentences).

    model: any langchain Runnable taking messages (ChatOpenAI, a fake chat model in tests); by default
    `service.llm.make_chat_model(config)`. structured: try `with_structured_output(json_schema)` first
    and fall back to parsing the text when the server refuses it or the parse fails."""

    def __init__(self, model=None, config=None, doc: Optional[Document] = None, batch_size: int = BATCH_SIZE,
                 structured: bool = True, max_tokens: Optional[int] = None):
        self._model = model
        self.config = config
        self.batch_size = max(1, batch_size)
        self.structured = structured
        self.max_tokens = max_tokens
        self.year = doc.meta.year if doc else None
        self.kind = doc.meta.kind if doc else None
        self.department = doc.meta.department if doc else None
        self.pending: list[tuple[Section, str, int]] = []
        self.stats = Stats()
        self._ids = 0
        self._modes = ["json_schema"]

    def for_document(self, doc: Document) -> "LLMClaimHook":
        self.year, self.kind, self.department = doc.meta.year, doc.meta.kind, doc.meta.department
        self.pending = []
        return self

    @property
    def model(self):
        if self._model is None:
            from service.config import get_config
            from service.llm import make_chat_model

            cfg = self.config or get_config()
            if self.max_tokens:
                from dataclasses import replace

                cfg = replace(cfg, llm_max_tokens=self.max_tokens)
            self._model = make_chat_model(cfg)
        return self._model

    # the UnparsedHook signature
    def __call__(self, section: Section, sentence: str, offset: int) -> list[Claim]:
        self.pending.append((section, sentence, offset))
        return []

    def flush(self) -> list[list[Claim]]:
        """Claims for every recorded sentence, in call order; the pending list is emptied."""
        pending, self.pending = self.pending, []
        out: list[list[Claim]] = []
        for i in range(0, len(pending), self.batch_size):
            out += self._batch(pending[i : i + self.batch_size])
        return out

    def extract(self, section: Section, sentence: str, offset: int = 0) -> list[Claim]:
        """One sentence, unbatched (for callers outside extract_claims)."""
        return self._batch([(section, sentence, offset)])[0]

    def _batch(self, batch: list[tuple[Section, str, int]]) -> list[list[Claim]]:
        self.stats.sentences += len(batch)
        self.stats.batches += 1
        result: list[list[Claim]] = [[] for _ in batch]
        try:
            raws = self._ask([s for _, s, _ in batch])
        except Exception as exc:  # endpoint down, refused, timed out: the rules' claims stand alone
            log.warning("LLM claim extraction failed for a batch of %d sentences: %s", len(batch), exc)
            self.stats.failed_batches += 1
            return result
        used: list[set[int]] = [set() for _ in batch]
        for raw in raws:
            idx = self._sentence_index(raw, batch)
            if idx is None:
                self.stats.dropped_value += 1
                self.stats.dropped.append(("", raw.value))
                continue
            section, sentence, offset = batch[idx]
            c = verify(raw, section, sentence, offset, used[idx], self.stats, self.department, self._ids + 1)
            if c is not None:
                self._ids += 1
                result[idx].append(c)
        for claims in result:  # tie shares and changes to the sentence's amounts, as the rules do
            claims.sort(key=lambda c: c.location.offset or 0)
            linked: list[Claim] = []
            for c in claims:
                _link(c, linked, None, None, [])
                linked.append(c)
        return result

    def _sentence_index(self, raw: LLMClaim, batch) -> Optional[int]:
        if raw.sentence is not None and 1 <= raw.sentence <= len(batch):
            return raw.sentence - 1
        if len(batch) == 1:
            return 0
        mv = model_value(raw.value, raw.unit)
        if mv is None:
            return None
        for i, (_, s, _) in enumerate(batch):  # no (valid) number: the first sentence printing the value
            if any(mv[0] in (n.value, abs(n.value)) for n in find_numbers(s)):
                return i
        return None

    def _ask(self, sentences: list[str]) -> list[LLMClaim]:
        messages = build_messages(sentences, self.year, self.kind)
        model = self.model
        # Structured output where the server has it (OpenAI, vLLM, Ollama take json_schema). A server
        # that refuses it (llama_cpp.server answers 500: it knows only json_object, whose grammar-
        # constrained sampling runs ~25x slower there) gets plain text, parsed here, from then on.
        # A dead endpoint is not a refusal and fails the batch.
        while self.structured and self._modes and hasattr(model, "with_structured_output"):
            mode = self._modes[0]
            try:
                reply = model.with_structured_output(LLMClaimList, method=mode, include_raw=True).invoke(messages)
            except Exception as exc:
                if _is_transport_error(exc):
                    raise
                log.info("structured output (%s) not available (%s)", mode, exc)
                self._modes.pop(0)
                continue
            # our own parse of the raw text keeps the valid items when one item breaks the schema
            raw_msg = reply.get("raw") if isinstance(reply, dict) else None
            text = getattr(raw_msg, "content", "") if raw_msg is not None else ""
            parsed = reply.get("parsed") if isinstance(reply, dict) else None
            if not text and isinstance(parsed, LLMClaimList):
                self.stats.returned += len(parsed.claims)
                return parsed.claims
            return self._from_text(text)
        reply = model.invoke(messages)
        return self._from_text(getattr(reply, "content", reply))

    def _from_text(self, content: Any) -> list[LLMClaim]:
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False) if content else ""
        self.stats.replies.append(text[:500])
        claims, bad = parse_reply(text)
        self.stats.invalid += bad
        self.stats.returned += len(claims)
        if not claims and text.strip() and not re.search(r'"claims"\s*:\s*\[\s*\]', text):
            self.stats.failed_batches += 1  # unreadable reply: no claims
        return claims


def _is_transport_error(exc: Exception) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai depends on it
        return isinstance(exc, (ConnectionError, TimeoutError))
    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, ConnectionError, TimeoutError))


def make_hook(doc: Document, use_llm: Optional[bool] = None, hook: Optional[LLMClaimHook] = None) -> Optional[UnparsedHook]:
    """The hook for one document when LLM extraction is on (use_llm, else BUDGETQA_CHECK_LLM) and an
    endpoint is configured (or a hook/model was given); None otherwise."""
    if hook is not None:
        return hook.for_document(doc)
    if not (use_llm if use_llm is not None else env_enabled()):
        return None
    from service.config import get_config

    cfg = get_config()
    if not cfg.llm_enabled:
        log.warning("LLM claim extraction requested but BUDGETQA_LLM_BASE_URL is not set: rules only")
        return None
    return LLMClaimHook(config=cfg, doc=doc)
