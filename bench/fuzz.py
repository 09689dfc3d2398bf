"""Mutation fuzz of the reader and the checker: mutated PDFs and texts, a fixed seed.

Every mutant is read (and, when readable, checked) in the service's own bounded worker
(service/bounded.py). The outcome of each is one of:
    ok        read (and checked)
    refused   a ReadError with a code and a message in Chinese and in English
    crash     any other exception, a worker that died, or a refusal without its two messages
    hang      past the time limit (killed)
The reliability suite (tests/service/test_reliability.py) runs a few hundred mutants; the long run:

    .venv/bin/python -m bench.fuzz --n 2000 --seed 14      # ~10 min on two cores

prints the counts, refusals by code and the time per mutant, and exits 1 on any crash or hang.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUDGETQA_SHARED", ROOT.parent / "shared"))

_CJK = re.compile(r"[\u4e00-\u9fff]")


# -- corpus --------------------------------------------------------------------------------------

def base_corpus(max_text: int = 12_000) -> list[tuple[str, bytes]]:
    """Generated PDFs (tests/fixtures/pdfgen.py) and texts; the seeds' first pages when present."""
    out: list[tuple[str, bytes]] = []
    try:
        from reportlab import rl_config

        rl_config.invariant = 1  # no creation date or random file id: the same bytes, the same mutants
        from tests.fixtures import pdfgen

        if pdfgen.font_available():
            out.append(("gen-expenditure.pdf", pdfgen.expenditure_pdf(n_kuan=3)[0]))
            out.append(("gen-continued.pdf", pdfgen.expenditure_pdf(continued="none", n_kuan=4)[0]))
            out.append(("gen-empty.pdf", pdfgen.empty_table_pdf()))
            out.append(("gen-text.pdf", pdfgen.text_pdf(2)))
    except Exception:  # noqa: BLE001 - no reportlab or font: texts only
        pass
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.glob("*.txt")):
            out.append((path.name, path.read_bytes()[:max_text]))
    if not any(n.endswith(".txt") for n, _ in out):
        out.append(("synthetic.txt", _SYNTHETIC.encode("utf-8")))
    return out


_SYNTHETIC = "\n".join([
    "2025年示例县示例局部门预算",
    "一、收支预算总体情况",
    "2025年收入总计1125.77万元，支出总计1125.77万元，与2024年预算相比，收入增加53.87万元，上升5.03%。",
    "2025年一般公共预算支出表", "单位：万元", "科目编码\t科目名称\t合计\t基本支出\t项目支出",
    "208\t社会保障和就业支出\t100.00\t60.00\t40.00", "\t合计\t100.00\t60.00\t40.00",
] * 3)


# -- mutations -----------------------------------------------------------------------------------

def _flip(rng, b):
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)


def _random_bytes(rng, b):
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))


def _delete(rng, b):
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(b))
        del b[i:i + rng.randint(1, 256)]


def _truncate(rng, b):
    del b[rng.randrange(1, len(b)):]


def _duplicate(rng, b):
    i = rng.randrange(len(b))
    piece = b[i:i + rng.randint(16, 4096)]
    j = rng.randrange(len(b))
    b[j:j] = piece * rng.randint(1, 20)


def _swap(rng, b):
    n = len(b) // 4 or 1
    i, j = sorted(rng.randrange(len(b)) for _ in range(2))
    b[i:i + n], b[j:j + n] = b[j:j + n], b[i:i + n]


def _digits(rng, b):
    """Numbers are what the checker reads: change them, lengthen them, make them huge."""
    idx = [i for i, ch in enumerate(b) if 48 <= ch <= 57]
    for i in rng.sample(idx, min(len(idx), rng.randint(1, 30))):
        b[i] = rng.choice(b"0123456789.-,%")
    if idx:
        i = rng.choice(idx)
        b[i:i] = b"9" * rng.randint(20, 400)


def _text_noise(rng, b):
    """Control characters, odd Unicode, markup and tabs where a converter might leave them."""
    pieces = ["\x00", "\x1b[31m", "\u202e", "\ufeff", "\t" * 50, "<b>", "$\\geq 95\\%$", "合计" * 30, "（", "）" * 9,
              "\r", "\u3000" * 20, "𠀀", "万元万元", "续表", "%PDF-1.7", "\n" * 200]
    for _ in range(rng.randint(1, 10)):
        i = rng.randrange(len(b))
        b[i:i] = rng.choice(pieces).encode("utf-8")


def _pdf_tokens(rng, b):
    """PDF syntax broken where parsers look: xref, trailer, lengths, object numbers, streams."""
    tokens = [b"xref", b"trailer", b"/Length", b"obj", b"endobj", b"stream", b"endstream", b"/Root", b"startxref",
              b"/Filter", b"/FlateDecode", b"/Kids", b"/Count", b"/MediaBox", b"/Font"]
    swaps = [b"/Length 99999999", b"/Count -1", b"/Kids [1 0 R]", b"999999 0 R", b"<<<<<<", b">>", b"[[[[[[[[",
             b"/Filter /LZWDecode", b"(" * 500, b"/Root 9 0 R", b"%%EOF"]
    for _ in range(rng.randint(1, 6)):
        t = rng.choice(tokens)
        positions = [m.start() for m in re.finditer(re.escape(t), bytes(b))]
        if positions:
            i = rng.choice(positions)
            b[i:i + len(t)] = rng.choice(swaps)


MUTATIONS = {"flip": _flip, "random_bytes": _random_bytes, "delete": _delete, "truncate": _truncate,
             "duplicate": _duplicate, "swap": _swap, "digits": _digits, "text_noise": _text_noise,
             "pdf_tokens": _pdf_tokens}


def mutants(corpus: list[tuple[str, bytes]], n: int, seed: int):
    """n (name, kinds, bytes) mutants, the same for the same seed."""
    rng = random.Random(seed)
    for k in range(n):
        name, data = corpus[k % len(corpus)]
        b = bytearray(data)
        kinds = rng.sample(sorted(MUTATIONS), rng.randint(1, 3))
        for kind in kinds:
            if len(b) < 2:
                b = bytearray(data)
            MUTATIONS[kind](rng, b)
        yield f"m{k:05d}-{name}", kinds, bytes(b)


# -- running ---------------------------------------------------------------------------------------

@dataclass
class Stats:
    n: int = 0
    ok: int = 0
    refused: Counter = field(default_factory=Counter)
    crashes: list = field(default_factory=list)  # (name, kinds, what)
    hangs: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def n_refused(self) -> int:
        return sum(self.refused.values())

    def summary(self) -> str:
        s = sorted(self.seconds) or [0.0]
        lines = [
            f"mutants {self.n}: ok {self.ok}, refused {self.n_refused}, crashes {len(self.crashes)}, hangs {len(self.hangs)}",
            f"seconds per mutant: median {s[len(s) // 2]:.3f}, p95 {s[int(len(s) * 0.95) - 1 if len(s) > 1 else 0]:.3f}, "
            f"max {s[-1]:.3f}, total {sum(s):.1f}",
            "refusals by code: " + ", ".join(f"{c} {k}" for c, k in self.refused.most_common()),
        ]
        lines += [f"  CRASH {n} {k}: {w}" for n, k, w in self.crashes[:20]]
        lines += [f"  HANG {n} {k}" for n, k in self.hangs[:20]]
        return "\n".join(lines)


def clear_message(zh: str, en: str) -> bool:
    return bool(zh and en and _CJK.search(zh) and en.isascii() is not None and "Traceback" not in zh + en)


def run(n: int, seed: int, *, check: bool = True, seconds: float = 30.0, corpus=None, progress: bool = False,
        stats: Stats | None = None) -> Stats:
    from indexing.read.errors import ReadError
    from service.bounded import CheckTimeout, Limits, check_bounded, read_bounded

    limits = Limits(parse_seconds=seconds, check_seconds=seconds)
    stats = stats if stats is not None else Stats()
    corpus = corpus or base_corpus()
    for name, kinds, data in mutants(corpus, n, seed):
        stats.n += 1
        t0 = time.perf_counter()
        stage = "read"
        try:
            doc = read_bounded(data, name, limits)
            stage = "check"
            if check:
                check_bounded(doc, limits)
            stats.ok += 1
        except ReadError as exc:
            if exc.code == "parse_timeout":
                stats.hangs.append((name, kinds))
            elif exc.code == "corrupt_file" and "进程异常" in exc.zh or not clear_message(exc.zh, exc.en):
                stats.crashes.append((name, kinds, f"read: {exc.code}: {exc.en}"))
            elif "PSEOF" in exc.zh or "PSEOF" in exc.en:
                stats.crashes.append((name, kinds, f"library name in the message: {exc.en}"))
            else:
                stats.refused[exc.code] += 1
        except CheckTimeout as exc:
            (stats.hangs.append((name, kinds)) if exc.code == "check_timeout"
             else stats.crashes.append((name, kinds, f"check: {exc.en}")))
        except Exception as exc:  # noqa: BLE001 - that is what is being counted
            stats.crashes.append((name, kinds, f"{stage}: {type(exc).__name__}: {exc}"))
        stats.seconds.append(time.perf_counter() - t0)
        if progress and stats.n % 100 == 0:
            print(f"  {stats.n}/{n}: ok {stats.ok}, refused {stats.n_refused}, crashes {len(stats.crashes)}, "
                  f"hangs {len(stats.hangs)}", file=sys.stderr, flush=True)
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--seconds", type=float, default=30.0, help="time limit per read and per check (a hang past it)")
    ap.add_argument("--no-check", action="store_true", help="read only")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import signal

    partial = Stats()

    def stop(*_):  # killed by a time limit: still print what was measured
        print("stopped early\n" + partial.summary(), flush=True)
        sys.exit(3)

    signal.signal(signal.SIGTERM, stop)
    stats = run(args.n, args.seed, check=not args.no_check, seconds=args.seconds, progress=True, stats=partial)
    print(stats.summary())
    print(f"wall {time.perf_counter() - t0:.1f} s, seed {args.seed}")
    return 1 if stats.crashes or stats.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
