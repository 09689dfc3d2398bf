"""`budgetqa` command line: one subcommand per pipeline stage.

Each subcommand lives in its own module `service/commands/<name>.py` exposing
`register(subparsers)`; this file only wires them up, so stages can be added without touching
each other. Errors that users cause (bad files, bad arguments) print in Chinese and English and
exit with status 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# In pipeline order: read → index → answer / check → serve → evaluate.
COMMANDS = ("parse", "ingest", "search", "figures", "ask", "check", "serve", "eval")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetqa",
        description="预算公开文件问答与核查 / Question answering and consistency checks for budget disclosures",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"service.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"service.commands.{name}":
                continue  # stage not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Nothing may reach a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from indexing.read.errors import ReadError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ReadError as exc:
        print(f"错误：{exc.zh}\nError: {exc.en}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 / Interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `budgetqa … | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
