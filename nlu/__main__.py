"""Parse messages from the command line: `python -m nlu 點樣申請低保` (or `--train` to warm the cache)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from nlu.interpreter import build_interpreter


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlu", description="Print what the NLU layer understands."
    )
    parser.add_argument("messages", nargs="*", help="messages to parse (default: one per line from stdin)")
    parser.add_argument("--backend", choices=("embedded", "rasa"), default="embedded")
    parser.add_argument("--rasa-url", default=None)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument(
        "--train", action="store_true", help="only train (or load) the embedded model and exit"
    )
    args = parser.parse_args(argv)

    interpreter = build_interpreter(args.backend, rasa_url=args.rasa_url, cache_dir=args.cache_dir)
    if args.train:
        return 0
    messages = args.messages or [line.rstrip("\n") for line in sys.stdin]
    for message in messages:
        understanding = interpreter.parse(message)
        json.dump(asdict(understanding), sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
