"""The LLM answerer: any OpenAI-compatible endpoint (vLLM, Ollama, DeepSeek, Qwen, llama_cpp.server)
through langchain-openai's ChatOpenAI, with the prompt kept in prompts/answer.md.

Document text is data: evidence goes into one delimited block, the markers are stripped from the
evidence itself so no document can close the block early, and the prompt tells the model to ignore
instructions inside it. The model's answer is never trusted with figures: the grounding guard checks
every number afterwards (service/grounding.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from service.analyse import Analysis
from service.answer import Draft
from service.config import Config, get_config
from service.evidence import Evidence

PROMPT_PATH = Path(__file__).resolve().parents[1] / "prompts" / "answer.md"
DATA_BEGIN, DATA_END = "<<<资料开始>>>", "<<<资料结束>>>"
_MARKER_RE = re.compile(r"<<<|>>>")
_CITE_RE = re.compile(r"[\[【](?:E)?(\d{1,3})[\]】]")


@lru_cache(maxsize=4)
def load_prompt(path: Path = PROMPT_PATH) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    system = text.split("## system", 1)[1].split("## user", 1)[0].strip()
    user = text.split("## user", 1)[1].strip()
    return system, user


def make_chat_model(config: Optional[Config] = None, streaming: bool = False) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    cfg = config or get_config()
    if not cfg.llm_base_url:
        raise RuntimeError("BUDGETQA_LLM_BASE_URL is not set: no LLM endpoint configured")
    return ChatOpenAI(
        base_url=cfg.llm_base_url,
        api_key=cfg.llm_api_key,
        model=cfg.llm_model,
        temperature=float(cfg.llm_temperature),  # the HTTP client's boundary: the API takes a JSON number
        timeout=cfg.llm_timeout,
        max_retries=1,
        streaming=streaming,
        # "max_tokens" is what vLLM, Ollama, DeepSeek and llama.cpp all read (ChatOpenAI itself would
        # send only OpenAI's newer max_completion_tokens).
        extra_body={"max_tokens": cfg.llm_max_tokens},
    )


def evidence_block(items: list[Evidence], focus: tuple[str, ...] = (), size: int = 240) -> str:
    """Numbered items; long ones cut to a verbatim window (small models have small contexts)."""
    from service.answer import window

    lines = []
    for i, ev in enumerate(items, 1):
        where = ev.table or ev.section or ""
        where += f" 第{ev.page}页" if ev.page else ""
        text = _MARKER_RE.sub("", window(ev.text, focus, size))
        lines.append(f"[{i}] （{ev.department or ev.source}｜{where}）{text}")
    return "\n".join(lines)


def build_messages(a: Analysis, items: list[Evidence]) -> list:
    system, user = load_prompt()
    summary = f"类型={a.qtype}；指标={'、'.join(a.metrics) or '无'}；部门={a.department or '未指定'}；年度={a.year or '未指定'}"
    filled = (user.replace("{question}", _MARKER_RE.sub("", a.question))
              .replace("{analysis}", summary)
              .replace("{evidence}", evidence_block(items, tuple(a.terms))))
    return [SystemMessage(content=system), HumanMessage(content=filled)]


def _to_draft(text: str, items: list[Evidence]) -> Draft:
    """Citations are the items the model referred to by number; when it named none, every item it
    was given counts as cited (and the grounding guard checks against all of them)."""
    refs = [int(n) for n in _CITE_RE.findall(text)]
    cited_idx = sorted({n for n in refs if 1 <= n <= len(items)})
    cited = [items[n - 1] for n in cited_idx] if cited_idx else list(items)
    # renumber the model's markers to positions in `cited` so [n] in the text = citations[n-1]
    pos = {n: i + 1 for i, n in enumerate(cited_idx)}
    if cited_idx:
        text = _CITE_RE.sub(lambda m: f"[{pos[int(m.group(1))]}]" if int(m.group(1)) in pos else "", text)
    else:
        text = _CITE_RE.sub("", text)
    return Draft(text=text.strip(), cited=cited, mode="llm")


class LLMAnswerer:
    def __init__(self, model: Optional[BaseChatModel] = None, config: Optional[Config] = None):
        self.config = config or get_config()
        self._model = model

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = make_chat_model(self.config)
        return self._model

    def answer(self, a: Analysis, items: list[Evidence]) -> Draft:
        items = items[: self.config.top_k]
        reply = self.model.invoke(build_messages(a, items))
        return _to_draft(str(reply.content), items)

    def stream(self, a: Analysis, items: list[Evidence]) -> Iterator[str]:
        """Raw tokens as they arrive, for a UI that shows progress. The text is not yet grounded:
        callers must show the grounded result (chain) once the stream ends."""
        items = items[: self.config.top_k]
        for chunk in self.model.stream(build_messages(a, items)):
            if chunk.content:
                yield str(chunk.content)

    def draft_from_stream(self, text: str, items: list[Evidence]) -> Draft:
        return _to_draft(text, items[: self.config.top_k])
