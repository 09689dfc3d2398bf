"""Fixtures of the answering tests: the seeds' gold qa, one QAService per seed, and an answerer on the
real local LLM (`llama_server`, shared with tests/check, lives in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .qa_eval import load_qa


@pytest.fixture(scope="session")
def seed_qa(labels_dir: Path, seeds_dir: Path) -> list:
    qa = load_qa(labels_dir, seeds_dir)
    if not qa:
        pytest.skip("no gold qa for the seeds in ../shared/labels")
    return qa


@pytest.fixture(scope="session")
def services(seed_qa):
    from service.chain import QAService

    return {seed: QAService([seed]) for seed in sorted({s for s, _ in seed_qa})}


@pytest.fixture(scope="session")
def default_results(seed_qa, services) -> list:
    """(seed, qa, AnswerResult) for every gold question, default answerer."""
    return [(seed, q, services[seed].ask(q["question"])) for seed, q in seed_qa]


@pytest.fixture(scope="session")
def llm_answerer(llama_server):
    from service.config import Config, get_config
    from service.llm import LLMAnswerer

    base = get_config()
    cfg = Config(**{**base.__dict__, "llm_base_url": llama_server, "llm_model": "gemma3-270m",
                    "llm_max_tokens": 64, "llm_timeout": 120, "top_k": 4, "answer_mode": "llm"})
    return LLMAnswerer(config=cfg)
