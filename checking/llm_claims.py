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
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from checking.claims import (
    KINDS,
    Claim,
    UnparsedHook,
    _codes,
    _direction,
    _item_path,
    _link,
    clean_metric,
    number_claim,
)
from indexing.model import Document, Section
from indexing.numbers import COUNT_UNITS, find_numbers, is_money_unit

log = logging.getLogger(__name__)

PROMPT_PATH = Path(__file__).resolve().parents[1] / "prompts" / "claim_extraction.md"
BATCH_SIZE = 3
DATA_BEGIN, DATA_END = "<<<句子开始>>>", "<<<句子结束>>>"
_MARKER_RE = re.compile(r"<<<|>>>")
_PCT_UNITS = ("%", "个百分点", "‰")
# "50万元以上通用设备", "100万元（含）及以上": a threshold, not an amount (stricter than the rules' guard,
# which also skips "21.42万元及时…": such sentences are why they reach the model)
_THRESHOLD_RE = re.compile(r"^\s*(?:（含）|\(含\))?\s*(?:以上|以下|及以上|及以下|及\d+(?:\.\d+)?(?:万元|元)(?:（含）)?以上)")
_UNIT_ALIASES = {"％": "%", "percent": "%", "万": "万元", "元人民币": "元"}


# ---------------------------------------------------------------------------------------------
# The structured output


class LLMClaim(BaseModel):
    """One figure the model says the sentence states. Everything but `value` is advisory."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sentence: Optional[int] = None  # 1-based number of the sentence in the batch
    metric: str = ""
    kind: str
    value: str = Field(validation_alias=AliasChoices("value", "raw"))  # as printed: "21.42" (a glued unit is tolerated)
    unit: Optional[str] = None
    direction: Optional[str] = None  # 增加 / 减少 / 持平 … as printed
    compared_year: Optional[int] = None
    basis: Optional[str] = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        v = (v or "").strip()
        if v not in KINDS:
            raise ValueError(f"kind {v!r} is not one of {KINDS}")
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any) -> str:
        if isinstance(v, float):  # a JSON number: its repr is not the printed string; keep it, verify later
            return repr(v)
        if isinstance(v, (int, Decimal)):
            return str(v)
        if not isinstance(v, str) or not v.strip():
            raise ValueError("value must be a non-empty string")
        return v.strip()

    @field_validator("sentence", "compared_year", mode="before")
    @classmethod
    def _int_or_none(cls, v: Any) -> Optional[int]:
        if v is None or v == "" or isinstance(v, bool):
            return None
        try:
            return int(str(v).strip().rstrip("年"))
        except ValueError:
            return None

    @field_validator("metric", "unit", "direction", "basis", mode="before")
    @classmethod
    def _str_or_none(cls, v: Any) -> Optional[str]:
        if v is None:
            return None
        s = str(v).strip()
        return None if s.lower() in ("", "null", "none") else s


class LLMClaimList(BaseModel):
    """What the model returns: {"claims": [...]}."""

    claims: list[LLMClaim] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Parsing the model's text


def _json_values(text: str) -> list[Any]:
    """Every top-level JSON value in the text (code fences and prose around them are ignored)."""
    dec = json.JSONDecoder()
    out, i = [], 0
    while i < len(text):
        j = min((k for k in (text.find("{", i), text.find("[", i)) if k >= 0), default=-1)
        if j < 0:
            break
        try:
            val, end = dec.raw_decode(text, j)
        except json.JSONDecodeError:
            i = j + 1  # not valid from here (or cut short): look for a complete value further on
            continue
        out.append(val)
        i = end
    return out


def parse_reply(text: str) -> tuple[list[LLMClaim], int]:
    """The model's text → (valid claim objects, number of objects rejected by the schema).

    Accepts {"claims": [...]}, a bare list, or single claim objects (also what remains complete of
    a reply cut short by max_tokens). Never raises."""
    items: list[Any] = []
    for val in _json_values(text or ""):
        if isinstance(val, dict) and isinstance(val.get("claims"), list):
            items += val["claims"]
        elif isinstance(val, list):
            items += val
        elif isinstance(val, dict) and "value" in val:
            items.append(val)
    good, bad = [], 0
    for item in items:
        if not isinstance(item, dict):
            bad += 1
            continue
        try:
            good.append(LLMClaim.model_validate(item))
        except ValidationError:
            bad += 1
    return good, bad


# ---------------------------------------------------------------------------------------------
# Verification against the sentence


def _norm_unit(u: Optional[str]) -> Optional[str]:
    if u is None:
        return None
    u = u.strip().translate(str.maketrans("％", "%"))
    return _UNIT_ALIASES.get(u, u) or None


def _unit_fits(kind: str, unit: Optional[str]) -> bool:
    if unit is None:
        return False
    if kind in ("share_pct", "change_pct", "completion_pct"):
        return unit in _PCT_UNITS
    if kind == "count":
        return unit in COUNT_UNITS
    return is_money_unit(unit)


def _model_value(value: str, unit: Optional[str]) -> Optional[tuple[Decimal, Optional[str]]]:
    """The model's value string → (Decimal, unit); None unless it holds exactly one number."""
    nums = list(find_numbers(value))
    if len(nums) != 1:
        return None
    n = nums[0]
    rest = (value[: n.start] + value[n.end :]).strip()
    u = _norm_unit(unit) or n.unit or (_norm_unit(rest) if rest else None)
    if n.unit and _norm_unit(unit) and n.unit != _norm_unit(unit):
        return None  # "21.42万元" with unit "元": contradicts itself
    return n.value, u


@dataclass
class Stats:
    sentences: int = 0
    batches: int = 0
    returned: int = 0  # claim objects the model returned that passed the schema
    invalid: int = 0  # objects rejected by the schema (bad kind, no value …)
    kept: int = 0
    dropped_value: int = 0  # value (with its unit) not in the sentence: invented or computed
    dropped_kind: int = 0  # kind does not fit the printed unit
    dropped_duplicate: int = 0  # the same printed figure claimed twice
    dropped_threshold: int = 0  # "50万元以上": a threshold called an amount
    failed_batches: int = 0  # request failed or reply unreadable
    metric_replaced: int = 0  # the model's label was not words of the sentence
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, value) of dropped values
    replies: list[str] = field(default_factory=list)  # the model's raw replies (first 500 chars), for diagnosis

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("dropped", "replies")}


def _clean_label(s: str) -> str:
    return re.sub(r"[\s“”\"‘’'（）()]", "", s or "")


def verify(raw: LLMClaim, section: Section, sentence: str, offset: int, used: set[int], stats: Stats,
           department: Optional[str] = None, next_id: int = 1) -> Optional[Claim]:
    """One model claim → a Claim taken from the sentence's own figure, or None (counted)."""
    mv = _model_value(raw.value, raw.unit)
    candidates = []
    if mv is not None:
        value, unit = mv
        for n in find_numbers(sentence):
            if value not in (n.value, abs(n.value)):
                continue
            if unit is not None and n.unit != unit:
                continue
            candidates.append(n)
    if not candidates:
        stats.dropped_value += 1
        stats.dropped.append((sentence.strip(), raw.value))
        return None
    fresh = [n for n in candidates if n.start not in used]
    if not fresh:
        stats.dropped_duplicate += 1
        return None
    n = fresh[0]
    if not _unit_fits(raw.kind, n.unit):
        stats.dropped_kind += 1
        return None
    if is_money_unit(n.unit) and _THRESHOLD_RE.match(sentence[n.end : n.end + 12]):
        stats.dropped_threshold += 1
        return None
    used.add(n.start)
    context = sentence[: n.start]
    metric = raw.metric or ""
    if not metric or _clean_label(metric) not in _clean_label(sentence):
        if metric:
            stats.metric_replaced += 1
        metric = clean_metric(context, department)
    direction, word = None, None
    if raw.kind in ("change_amount", "change_pct"):
        if raw.direction and raw.direction in sentence:
            direction, word = _direction(raw.direction)
        if direction is None:
            direction, word = _direction(context[-12:])  # the printed word just before the figure
    year = raw.compared_year if raw.compared_year and str(raw.compared_year) in sentence else None
    basis = raw.basis if raw.basis and raw.basis in sentence and raw.kind in ("amount", "completion_pct") else None
    stats.kept += 1
    return number_claim(
        f"llm{next_id}", n, sentence, section, offset,
        metric=metric,
        context=context,
        kind=raw.kind,
        direction=direction,
        direction_word=word,
        compared_year=year if raw.kind.startswith("change") else None,
        codes=_codes(sentence),
        item_path=_item_path(sentence),
        basis=basis,
        source="llm",
    )


# ---------------------------------------------------------------------------------------------
# The hook


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
        mv = _model_value(raw.value, raw.unit)
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
