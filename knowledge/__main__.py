"""`python -m knowledge <command>`: the knowledge layer's command line.

Commands: `check` (validate the policy pack and the catalogues), `evaluate` (policy retrieval on a
question file) and `evaluate-categories` (the category guide, `knowledge.category_eval`). Each command's
module is imported only when it runs, so one unfinished module does not break the others.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

# command -> (module providing `main(argv: list[str]) -> int`, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("knowledge.check", "validate the policy knowledge pack and the catalogues; exit 1 on problems"),
    "evaluate": ("knowledge.evaluate", "policy retrieval accuracy, citations, must-not-answer and latency"),
    "evaluate-categories": ("knowledge.category_eval", "category guide top-1/top-3 accuracy and latency"),
}


def usage() -> str:
    lines = ["usage: python -m knowledge <command> [options]", "", "commands:"]
    lines.extend(f"  {name:<20} {description}" for name, (_, description) in COMMANDS.items())
    lines.append("")
    lines.append("`python -m knowledge <command> --help` for a command's options.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _ = COMMANDS[command]
    run: Callable[[list[str]], int] = importlib.import_module(module_name).main
    return int(run(rest))


if __name__ == "__main__":
    sys.exit(main())
