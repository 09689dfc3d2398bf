"""CLI: python -m eval.generate --out DIR --n 20 --seed 1 [--errors-per-doc 2] [--formats text,pdf] [--styles all]"""

from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from eval.generate import KINDS, generate_corpus
from eval.generate.styles import STYLES


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.generate",
                                 description="Write fictional budget disclosures with gold labels and injected errors.")
    ap.add_argument("--out", required=True, help="output directory (docs/ and labels/ are created)")
    ap.add_argument("--n", type=int, default=20, help="number of documents")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--errors-per-doc", type=int, default=2, help=f"0..{len(KINDS)} injected errors per document")
    ap.add_argument("--formats", default="text", help="comma list of text,pdf")
    ap.add_argument("--styles", default="all", help=f"'all' or a comma list of {','.join(STYLES)}")
    ap.add_argument("--kinds", default="", help="restrict injected error kinds (comma list)")
    args = ap.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k] or None
    if kinds and set(kinds) - set(KINDS):
        ap.error(f"unknown kinds {sorted(set(kinds) - set(KINDS))}; known: {', '.join(KINDS)}")
    start = time.perf_counter()
    with tqdm(total=args.n, unit="doc", file=sys.stderr) as bar:
        generate_corpus(args.out, args.n, args.seed, errors_per_doc=args.errors_per_doc,
                        formats=[f for f in args.formats.split(",") if f], styles=args.styles, kinds=kinds,
                        progress=bar.update)
    took = time.perf_counter() - start
    print(f"wrote {args.n} documents to {args.out} in {took:.1f}s ({args.n / took:.1f} docs/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
