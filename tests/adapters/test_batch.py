"""Batch mode, `python -m bot ask`: the JSON-lines contract quality benchmarks read (README "The ask contract")."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.batch import dump, run_batch
from bot import assistant as assistant_module
from bot.assistant import Assistant
from bot.cli import main
from nlu.embedded import DEFAULT_CACHE_DIR
from tests.conftest import TEST_PII_KEY

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {"text", "intent", "confidence", "action", "reply", "citations", "categories", "case_ref"}
INTENTS = {
    "greet",
    "thanks_bye",
    "ask_policy",
    "find_demand_category",
    "check_eligibility",
    "request_help",
    "volunteer_signup",
    "check_case_status",
    "human_handoff",
    "crisis",
    "out_of_scope",
    "affirm",
    "deny",
    "cancel",
    "inform",
}
ACTIONS = {
    "answer",
    "guide_category",
    "eligibility",
    "form:help_request",
    "form:volunteer_signup",
    "case_status",
    "handoff",
    "crisis",
    "fallback",
    "smalltalk",
}


def _check_contract(record: dict[str, object]) -> None:
    assert set(record) - {"conversation"} == CONTRACT_KEYS
    assert record["intent"] in INTENTS and record["action"] in ACTIONS
    assert isinstance(record["confidence"], float) and 0.0 <= record["confidence"] <= 1.0
    assert isinstance(record["reply"], str) and record["reply"]
    assert isinstance(record["categories"], list)
    assert isinstance(record["citations"], list)
    for citation in record["citations"]:
        assert isinstance(citation, dict) and set(citation) == {"source", "locator", "year"}
    assert record["case_ref"] is None or isinstance(record["case_ref"], str)
    assert json.loads(dump(record)) == record  # one JSON object per line, Chinese kept readable
    assert "\n" not in dump(record) and "\\u" not in dump(record)


def test_each_line_is_answered_in_a_fresh_conversation(assistant: Assistant) -> None:
    lines = ["你好\n", "我们想帮外卖小哥维权\n", "1\n", "示范点每个社区资助多少钱\r\n"]
    records = list(run_batch(assistant.handle, lines))
    assert len(records) == 4
    for record in records:
        _check_contract(record)
        assert "conversation" not in record
    greeting, guide, digit, policy = records
    assert (greeting["text"], greeting["intent"], greeting["action"]) == ("你好", "greet", "smalltalk")

    assert guide["action"] == "guide_category"
    assert guide["categories"][0] == "futian-2024-12"  # type: ignore[index]
    assert {
        "source": "2024 年度福田区社会建设专项资金项目需求目录",
        "locator": "序号 12",
        "year": "2024",
    } in guide["citations"]  # type: ignore[operator]
    assert "理由:" in guide["reply"] and "需求原文:" in guide["reply"]  # type: ignore[operator]

    # A new conversation: "1" answers no earlier question.
    assert digit["action"] not in ("eligibility", "guide_category")

    assert policy["text"] == "示范点每个社区资助多少钱"  # line ends (\r\n) are not part of the message
    assert policy["action"] == "answer"
    assert [c["year"] for c in policy["citations"]] == ["2014"]  # type: ignore[index, union-attr]


def test_a_vague_single_message_gets_the_narrowing_question_and_no_categories(assistant: Assistant) -> None:
    [record] = run_batch(assistant.handle, ["我们想做个项目"])
    _check_contract(record)
    assert record["action"] == "guide_category" and record["categories"] == []
    assert "1 健全基层民主制度" in record["reply"]  # type: ignore[operator]


def test_a_broad_single_message_asks_the_narrowing_question_and_still_gives_its_best_effort(
    assistant: Assistant,
) -> None:
    [record] = run_batch(assistant.handle, ["想做个儿童的项目"])
    _check_contract(record)
    assert record["action"] == "guide_category" and "哪个领域" in record["reply"]  # type: ignore[operator]
    assert record["categories"] == ["futian-2024-18"]  # the item for children, until narrowed


def test_a_crisis_line_reports_its_case_reference(assistant: Assistant) -> None:
    [record] = run_batch(assistant.handle, ["我不想活了"])
    _check_contract(record)
    assert record["intent"] == "crisis" and record["action"] == "crisis"
    assert isinstance(record["case_ref"], str) and record["case_ref"] in record["reply"]  # type: ignore[operator]


def test_conversation_mode_keeps_a_user_until_a_blank_line(assistant: Assistant) -> None:
    lines = ["我们想帮外卖小哥维权", "1", "", "", "我们社区想申报示范点", "是", "  "]
    records = list(run_batch(assistant.handle, lines, conversations=True))
    assert [r["conversation"] for r in records] == [0, 0, 1, 1]  # blank lines are not messages
    for record in records:
        _check_contract(record)
    ranked, checked, started, answered = records
    assert ranked["categories"][0] == "futian-2024-12"  # type: ignore[index]
    # "1" is 检查申报条件 in the first conversation: the Futian check with the description given.
    assert checked["action"] == "eligibility" and checked["categories"] == ["futian-2024-12"]
    assert "没有写明申报条件" in checked["reply"]  # type: ignore[operator]
    assert started["action"] == "eligibility" and "(1/6)" in started["reply"]  # type: ignore[operator]
    assert answered["action"] == "eligibility" and "(2/6)" in answered["reply"]  # type: ignore[operator]


def test_the_cli_reads_stdin_and_numbers_conversations(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    interpreter: object,
    knowledge: object,
    guide: object,
) -> None:
    # The CLI as `python -m bot ask --json --conversation` runs it, with the session's loaded models.
    monkeypatch.setattr(assistant_module, "_build_interpreter", lambda settings: interpreter)
    monkeypatch.setattr(assistant_module, "_load_knowledge", lambda: knowledge)
    monkeypatch.setattr(assistant_module, "_load_guide", lambda: guide)
    for name in ("CA_DATABASE_URL", "NLU_BACKEND", "RASA_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CA_PII_KEY", TEST_PII_KEY)
    stdin = tmp_path / "stdin.txt"
    stdin.write_text("你好\n2\n\n我们想帮外卖小哥维权\n", encoding="utf-8")
    root = logging.getLogger()
    level = root.level
    with stdin.open(encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdin", handle)
        try:
            assert main(["ask", "--json", "--conversation"]) == 0
        finally:
            root.setLevel(level)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["conversation"], r["text"]) for r in records] == [
        (0, "你好"),
        (0, "2"),
        (1, "我们想帮外卖小哥维权"),
    ]
    assert records[1]["action"] == "form:help_request"  # "2" chose 我要求助 from the greeting's menu
    assert records[2]["categories"][0] == "futian-2024-12"
    assert not list(tmp_path.glob("*.db"))  # without --persist the database is thrown away


def test_python_m_bot_ask_json_in_a_subprocess(tmp_path: Path, interpreter: object) -> None:
    # The session's intent model is cached already (the `interpreter` fixture): copying the cache saves the
    # subprocess training it again. A cache it cannot use is retrained, so the test holds either way.
    cache = tmp_path / "cache" / "nlu"
    cache.mkdir(parents=True)
    for cached in DEFAULT_CACHE_DIR.glob("*.pkl"):
        shutil.copy2(cached, cache / cached.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CA_", "NLU_", "RASA_"))}
    env.update({"CA_DATA_DIR": str(tmp_path), "CA_PII_KEY": TEST_PII_KEY, "PYTHONIOENCODING": "utf-8"})
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input="你好\n".encode(),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    [line] = done.stdout.decode("utf-8").splitlines()
    record = json.loads(line)
    assert '"intent": "greet"' in line
    assert set(record) == CONTRACT_KEYS
    assert record["text"] == "你好" and record["action"] == "smalltalk"
    assert record["citations"] == [] and record["categories"] == [] and record["case_ref"] is None
    assert "1 政策咨询" in record["reply"]
