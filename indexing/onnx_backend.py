"""The embedding model on ONNX Runtime: exported once from the local model folder, optionally int8.

Why not `SentenceTransformer(backend="onnx")`: that path needs `optimum-onnx`, whose releases pin
transformers < 4.58, and this stack pins transformers 5 (sentence-transformers 6). So the same
steps are done here with the libraries already installed: torch exports the encoder (the model's own
`BertModel`, traced, opset 17), ONNX Runtime runs it, and its dynamic quantiser writes an int8 copy
(weights int8, activations quantised per batch). Pooling is the model's own (m3e-small: mean over
the attention mask, then unit length), read from the sentence-transformers config at export.

Nothing is fetched: the export reads only the model folder on disk and writes into
BUDGETQA_ONNX_DIR (default `$BUDGETQA_CACHE_DIR/onnx`, ~/.cache/budgetqa/onnx; scripts/setup runs
`python -m indexing.onnx_backend` once, so tests and the service find it ready), in a folder named
by the model's fingerprint, so a changed model is exported again and never mixed up. The export is
written to a temporary folder and renamed, so two processes exporting at once both end with a
whole model. Texts are sorted by length and cut into batches of at most TOKEN_BUDGET padded tokens
(short table summaries do not pay for the padding of a long passage). The int8 model runs one text
at a time: dynamic quantisation scales the activations per batch tensor, so a text's vector would
depend on the texts batched with it (up to 0.01 per component); one at a time it is a function of
the text alone (the embedding cache and the Dask == serial test rely on that), and on this CPU it is
no slower: the 291 embedded chunks of ../shared (seeds + pdfs), per document as ingest sends them,
three rounds interleaved at load ~11 on 2 cores: 4.9–6.7 s one at a time, 6.2–11.2 s in batches of
2,048 padded tokens. The session's pool threads do not spin while idle: with spinning (ONNX
Runtime's default) the same run took 14.8–18.9 s, as spinning threads take the shared cores from
the thread that has work.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

TOKEN_BUDGET = 8192  # padded tokens per batch: ~16 passages of 512 tokens, ~128 summaries of 64
MAX_BATCH = 128
OPSET = 17
FORMAT_VERSION = 1  # bump when the export itself changes: old exports are then ignored


def onnx_root() -> Path:
    env = os.environ.get("BUDGETQA_ONNX_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("BUDGETQA_CACHE_DIR") or Path.home() / ".cache" / "budgetqa").expanduser() / "onnx"


def export_dir(model_path: Path, fingerprint: str) -> Path:
    return onnx_root() / f"{Path(model_path).name}-{fingerprint[:16]}-v{FORMAT_VERSION}"


def ensure_export(model_path: Path, fingerprint: str, int8: bool) -> Path:
    """The exported model file (fp32 `model.onnx` or `model_int8.onnx`), exported now if missing."""
    folder = export_dir(model_path, fingerprint)
    target = folder / ("model_int8.onnx" if int8 else "model.onnx")
    if target.exists() and (folder / "pooling.json").exists():
        return target
    if not (folder / "model.onnx").exists() or not (folder / "pooling.json").exists():
        _export_fp32(Path(model_path), folder)
    if int8 and not target.exists():
        _quantise(folder / "model.onnx", target)
    return target


def _export_fp32(model_path: Path, folder: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    pooling = _pooling_of(st)
    encoder = st[0].auto_model.eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in st.tokenizer("样例")]

    class Encoder(torch.nn.Module):  # keyword arguments: the positional order changed in transformers 5
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs)), return_dict=True).last_hidden_state

    sample = st.tokenizer(["一般公共预算财政拨款收入", "部门"], return_tensors="pt", padding=True)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    tmp.mkdir(parents=True)
    try:
        with torch.no_grad():
            torch.onnx.export(
                Encoder(encoder), tuple(sample[n] for n in names), str(tmp / "model.onnx"),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=OPSET, dynamo=False,
            )
        (tmp / "pooling.json").write_text(json.dumps({**pooling, "inputs": names,
                                                      "max_seq_length": int(st.max_seq_length)}))
        st.tokenizer.save_pretrained(str(tmp / "tokenizer"))
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(tmp, folder)
        except OSError:  # another process finished first: keep its export
            if not (folder / "model.onnx").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _pooling_of(st) -> dict:
    """Mean or CLS pooling as the model's sentence-transformers config says; other modules refused."""
    mode = "mean"
    for module in list(st)[1:]:
        kind = type(module).__name__
        if kind == "Pooling":
            cfg = module.get_config_dict() if hasattr(module, "get_config_dict") else {}
            mode = cfg.get("pooling_mode") or ("cls" if cfg.get("pooling_mode_cls_token") else "mean")
        elif kind != "Normalize":
            raise RuntimeError(f"ONNX backend: module {kind} of this model is not supported; use BUDGETQA_EMBED_BACKEND=torch")
    if mode not in ("mean", "cls"):
        raise RuntimeError(f"ONNX backend: pooling {mode!r} not supported; use BUDGETQA_EMBED_BACKEND=torch")
    return {"pooling": mode}


def _quantise(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    try:
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


class OnnxEncoder:
    """Texts → unit vectors with ONNX Runtime; the same tokenizer and pooling as the torch model."""

    def __init__(self, model_file: Path, threads: Optional[int] = None, max_tokens: Optional[int] = None):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        folder = Path(model_file).parent
        self.one_at_a_time = Path(model_file).name.endswith("_int8.onnx")
        cfg = json.loads((folder / "pooling.json").read_text())
        self.pooling, self.inputs, self.max_len = cfg["pooling"], cfg["inputs"], cfg["max_seq_length"]
        if max_tokens:
            self.max_len = min(self.max_len, max_tokens)
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder / "tokenizer"), local_files_only=True)
        opts = ort.SessionOptions()
        threads = threads if threads is not None else int(os.environ.get("BUDGETQA_EMBED_THREADS", "0") or 0)
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle pool threads sleep instead of spinning: on cores other processes share (the reader,
        # the writer, other workers), spinning threads steal the CPU the other pool thread waits for.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_file), sess_options=opts, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_len, add_special_tokens=True)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        out: list[Optional[np.ndarray]] = [None] * len(texts)
        start = 0
        budget = 1 if self.one_at_a_time else TOKEN_BUDGET
        while start < len(order):
            end = start + 1
            # Sorted by length, so the last text of a batch sets its padded width.
            while end < len(order) and end - start < MAX_BATCH and (end - start + 1) * len(ids[order[end]]) <= budget:
                end += 1
            batch = order[start:end]
            for i, vec in zip(batch, self._run([ids[i] for i in batch])):
                out[i] = vec
            start = end
        return np.stack(out)

    def _run(self, batch_ids: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch_ids)
        pad = self.tokenizer.pad_token_id or 0
        input_ids = np.full((len(batch_ids), width), pad, dtype=np.int64)
        mask = np.zeros((len(batch_ids), width), dtype=np.int64)
        for row, x in enumerate(batch_ids):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self.session.run(None, {n: feed[n] for n in self.inputs})[0]
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def main() -> int:
    """Export (fp32 and int8) the configured model now: `python -m indexing.onnx_backend [MODEL]`."""
    import sys

    from indexing.embed_cache import model_fingerprint
    from indexing.embeddings import resolve_model
    from indexing.settings import DEFAULT_MODEL

    path = resolve_model(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BUDGETQA_EMBEDDING_MODEL") or DEFAULT_MODEL)
    print(ensure_export(path, model_fingerprint(path), int8=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
