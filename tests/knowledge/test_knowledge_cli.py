"""`python -m knowledge`: subcommand dispatch (modules imported lazily)."""

from __future__ import annotations

import types

import pytest

import knowledge.__main__ as cli


@pytest.mark.parametrize(
    ("command", "module"),
    [
        ("check", "knowledge.check"),
        ("evaluate", "knowledge.evaluate"),
        ("evaluate-categories", "knowledge.category_eval"),
    ],
)
def test_commands_dispatch_to_their_module(
    monkeypatch: pytest.MonkeyPatch, command: str, module: str
) -> None:
    calls: list[tuple[str, list[str]]] = []

    def fake_import(name: str) -> types.SimpleNamespace:
        return types.SimpleNamespace(main=lambda argv: calls.append((name, argv)) or 7)

    monkeypatch.setattr(cli.importlib, "import_module", fake_import)
    assert cli.main([command, "--file", "x.yaml"]) == 7
    assert calls == [(module, ["--file", "x.yaml"])]


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "code"), [([], 2), (["--help"], 0), (["-h"], 0)])
def test_usage(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == code
    out = capsys.readouterr().out
    assert "check" in out and "evaluate-categories" in out
