"""Batch ingest and check over many disclosures on a Dask cluster, with one writer.

Cluster: `BUDGETQA_DASK_SCHEDULER=tcp://host:8786` joins a running scheduler (workers on other
machines); otherwise a `LocalCluster` of process workers, one per core (BUDGETQA_DASK_WORKERS),
one thread each (the model's own threads are set to 1 per worker: N workers × 1 thread fill N
cores without oversubscribing them).

Tasks are pure functions of a disclosure's bytes: files are read here, on the client, and sent
(a window of a few per worker in flight, so a province's corpus never sits in memory at once), so
a worker on another machine needs no shared disk. A disclosure published as several files
(`indexing/read/multi.py` `group_parts`: 情况说明 + 报表) is one task.
- ingest: read → chunk → jieba tokens → vectors of the embedded chunks (`indexing.ingest.prepare`)
  in the worker; the result comes back to the client, which alone writes SQLite and Chroma
  (`Index.commit`: the crash-safe order of indexing/ingest.py). Writers never race.
- check: read and check each disclosure with the service's bounds (service/bounded.py, a killed
  child past the time limit) in the worker; the reports come back in the order of the inputs.
A worker that dies (killed, out of memory) loses nothing: the scheduler hands its tasks to another
worker (each task is pure, so running it twice is harmless), and nothing was written for them yet.
Progress: one bar over the whole batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

SUFFIXES = (".pdf", ".txt", ".md")
IN_FLIGHT_PER_WORKER = 3


@dataclass(frozen=True)
class Failure:
    source: str
    error: str


# -- what goes to the workers ----------------------------------------------------------------------

def plan(sources: Iterable[str | Path], suffixes: Sequence[str] = SUFFIXES) -> list[list[Path]]:
    """Files and folders → disclosures, each a list of its files (one, or the parts of a split one)."""
    from indexing.read.multi import group_parts

    files: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
        else:
            files.append(p)
    return group_parts(files)


def load_parts(group: Sequence[Path]) -> list[tuple[str, bytes]] | Failure:
    try:
        return [(p.name, p.read_bytes()) for p in group]
    except OSError:
        names = " + ".join(p.name for p in group)
        return Failure(names, f"找不到或无法打开文件：{names} / File not found or unreadable: {names}")


def expected_id(parts: Sequence[tuple[str, bytes]]) -> str:
    """The document id the reader will give (indexing/read: sha256 of the bytes; a split disclosure:
    the hash of its parts' ids, indexing/read/multi.py)."""
    from indexing.read import document_id

    ids = [document_id(data) for _, data in parts]
    return ids[0] if len(ids) == 1 else hashlib.sha256("+".join(ids).encode()).hexdigest()


def read_parts_bytes(parts: Sequence[tuple[str, bytes]]):
    from indexing.read import read_bytes
    from indexing.read.multi import merge_documents

    docs = [read_bytes(data, name) for name, data in parts]
    return docs[0] if len(docs) == 1 else merge_documents(docs)


def _one_thread_per_worker() -> None:
    os.environ.setdefault("BUDGETQA_EMBED_THREADS", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # noqa: BLE001 - torch is optional for the ONNX backend
        pass


def ingest_task(parts: list[tuple[str, bytes]], model: Optional[str], backend: Optional[str],
                cache_path: Optional[str], one_thread: bool = True):
    """In a worker: a disclosure's bytes → `Prepared` (or a `Failure` for an unreadable file)."""
    from indexing.embed_cache import open_cache
    from indexing.embeddings import get_embeddings
    from indexing.ingest import prepare
    from indexing.read.errors import ReadError

    if one_thread:
        _one_thread_per_worker()
    t0 = time.perf_counter()
    try:
        doc = read_parts_bytes(parts)
    except ReadError as exc:
        return Failure(" + ".join(n for n, _ in parts), f"{exc.zh} / {exc.en}")
    read_s = time.perf_counter() - t0
    embeddings = get_embeddings(model, backend=backend)
    cache = open_cache(Path(cache_path)) if cache_path else None
    prepared = prepare(doc, embeddings, cache)
    prepared.timings["read_s"] = read_s
    return prepared


def _load_model(model: Optional[str], backend: Optional[str]) -> str:
    from indexing.embeddings import get_embeddings

    _one_thread_per_worker()
    return get_embeddings(model, backend=backend).name


def warm_workers(client, model: Optional[str], backend: Optional[str]) -> None:
    """Every worker loads the model now, all at once, instead of each on its first task."""
    client.run(_load_model, model, backend)


def check_task(parts: list[tuple[str, bytes]], limits, one_thread: bool = True) -> tuple[Optional[str], str]:
    """In a worker: (document JSON or None, DocumentReport JSON) of one disclosure, bounded."""
    from service.bounded import check_parts_bounded

    if one_thread:
        _one_thread_per_worker()
    doc, report = check_parts_bounded(parts, limits)
    return (doc.to_json() if doc is not None else None), report.model_dump_json()


# -- the cluster -------------------------------------------------------------------------------------

def default_workers() -> int:
    env = os.environ.get("BUDGETQA_DASK_WORKERS")
    return max(1, int(env)) if env else max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def dask_client(workers: Optional[int] = None, scheduler: Optional[str] = None) -> Iterator[Any]:
    """A client of BUDGETQA_DASK_SCHEDULER (or `scheduler`), else of a LocalCluster started here."""
    import dask
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get("BUDGETQA_DASK_SCHEDULER")
    # Workers may start children of their own (the bounded checker's killable child processes).
    with dask.config.set({"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 3}):
        if address:
            with Client(address) as client:
                yield client
            return
        with LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
            yield client


def run_window(client, items: Sequence[Any], submit: Callable[[int, Any], Any], on_done: Callable[[int, Any], None],
               window: int) -> None:
    """Submit `items` a window at a time and hand each result to `on_done` as it arrives (in the
    client: the one writer)."""
    from distributed import as_completed

    pending = iter(range(len(items)))
    futures = {}
    ac = as_completed()
    for i in pending:
        fut = submit(i, items[i])
        futures[fut.key] = i
        ac.add(fut)
        if len(futures) >= window:
            break
    for fut in ac:
        i = futures.pop(fut.key)
        value = fut.result()
        fut.release()
        on_done(i, value)
        nxt = next(pending, None)
        if nxt is not None:
            f2 = submit(nxt, items[nxt])
            futures[f2.key] = nxt
            ac.add(f2)


def window_for(client) -> int:
    try:
        n = len(client.scheduler_info(n_workers=-1)["workers"])
    except TypeError:
        n = len(client.scheduler_info()["workers"])
    return max(2, IN_FLIGHT_PER_WORKER * max(1, n))


# -- ingest and check over a batch ------------------------------------------------------------------

def ingest_batch(index, sources: Iterable[str | Path], client, *, progress: bool = True) -> list:
    """Ingest files and folders into `index` with the work on `client`'s cluster; results in input
    order. Disclosures already in the index are not sent."""
    from tqdm import tqdm

    from indexing.ingest import IngestResult

    groups = plan(sources)
    results: list = [None] * len(groups)
    todo = []
    for i, group in enumerate(groups):
        parts = load_parts(group)
        if isinstance(parts, Failure):
            results[i] = IngestResult("", parts.source, "failed", error=parts.error)
            continue
        doc_id = expected_id(parts)
        if index.is_ready(doc_id):
            results[i] = IngestResult(doc_id, " + ".join(p.name for p in group), "unchanged")
            continue
        todo.append((i, group))
    model = str(getattr(index.embeddings, "model_path", "") or index.settings.embedding_model)
    backend = getattr(index.embeddings, "backend", None)
    cache = index.vectors.cache
    cache_path = str(cache.path) if cache is not None else None
    if todo:
        warm_workers(client, model, backend)

    def on_done(j, value):
        i = todo[j][0]
        if isinstance(value, Failure):
            results[i] = IngestResult("", value.source, "failed", error=value.error)
        else:
            results[i] = index.commit(value)

    # The parts are read again at submit: only the window's bytes are in memory.
    run_batch(client, todo, lambda group: (ingest_task, load_parts(group), model, backend, cache_path), on_done,
              tqdm(total=len(groups), initial=len(groups) - len(todo), desc="ingest", unit="doc", disable=not progress))
    return results


def run_batch(client, todo: list[tuple[int, Any]], call: Callable[[Any], tuple], on_done: Callable[[int, Any], None],
              bar) -> None:
    """`call(item)` → (task, *args) for each (index, item) of `todo`, on the cluster; `on_done(j, result)`
    here as results come, the bar moving with them. Keys are unique per submission (a rerun of the
    same batch is new work, never an old result)."""
    import uuid

    def submit(_, entry):
        fn, *args = call(entry[1])
        return client.submit(fn, *args, key=f"{fn.__name__}-{entry[0]}-{uuid.uuid4().hex}", pure=False, retries=1)

    def done(j, value):
        on_done(j, value)
        bar.update(1)

    try:
        run_window(client, todo, submit, done, window_for(client))
    finally:
        bar.close()


def check_batch(paths: Sequence[Path], limits, client, *, progress: bool = True) -> list[tuple[Any, Any]]:
    """[(Document or None, DocumentReport)] per disclosure of `paths` (split ones grouped), in order."""
    from tqdm import tqdm

    from checking.findings import DocumentReport
    from indexing.model import Document
    from indexing.read.multi import group_parts

    groups = group_parts([Path(p) for p in paths])
    out: list = [None] * len(groups)
    todo = []
    for i, group in enumerate(groups):
        loaded = load_parts(group)
        if isinstance(loaded, Failure):  # reported like the serial path: a report with its error
            out[i] = (None, DocumentReport(doc_id="", source=loaded.source, format="?", error=loaded.error))
        else:
            todo.append((i, group))

    def on_done(j, value):
        doc_json, report_json = value
        out[todo[j][0]] = (Document.from_json(doc_json) if doc_json else None,
                           DocumentReport.model_validate_json(report_json))

    run_batch(client, todo, lambda group: (check_task, load_parts(group), limits), on_done,
              tqdm(total=len(groups), initial=len(groups) - len(todo), desc="核查 / checking", unit="份",
                   disable=not progress))
    return out
