"""Dependencies run one way: entry points -> adapters -> bot -> dialogs -> knowledge -> nlu."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = {"bot/__main__.py", "bot/cli.py"}
# What each package may import from the project (besides itself).
ALLOWED: dict[str, set[str]] = {
    "adapters": {"bot", "dialogs", "nlu", "knowledge"},
    "bot": {"dialogs", "nlu", "knowledge"},
    "dialogs": {"nlu", "knowledge"},
    "nlu": set(),
    # Knowledge reads Chinese with nlu's text layer (one jieba dictionary per process); never the reverse.
    "knowledge": {"nlu"},
}
PROJECT = set(ALLOWED)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


def _sources() -> list[Path]:
    return sorted(p for package in ALLOWED for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    if relative in ENTRY_POINTS:
        return
    package = relative.split("/")[0]
    forbidden = _imports(path) - ALLOWED[package] - {package}
    assert not forbidden, f"{relative} imports {sorted(forbidden)}"


def test_only_entry_points_import_adapters() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if "adapters" in _imports(p)
        and str(p.relative_to(ROOT)) not in ENTRY_POINTS
        and not str(p.relative_to(ROOT)).startswith("adapters/")
    ]
    assert offenders == []
