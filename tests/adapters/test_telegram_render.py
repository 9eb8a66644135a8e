"""Replies as Telegram messages: the 4096 limit, split between lines, choices as inline buttons."""

from __future__ import annotations

import pytest

from adapters.telegram_render import TEXT_LIMIT, OutgoingText, keyboard, render, split_text, utf16_len
from dialogs.replies import Choice, Reply

LINES = {
    "simplified": "福田区2024年民生微实事需求目录第{n}项:社区长者助餐服务,详见目录原文。",
    "traditional": "福田區2024年民生微實事需求目錄第{n}項:社區長者助餐服務,詳見目錄原文。",
    "cantonese": "你問嘅係第{n}項:社區長者食飯嘅服務,可以睇下目錄原文喎。",
}


@pytest.mark.parametrize("script", sorted(LINES))
def test_a_long_reply_is_split_on_line_boundaries_within_the_limit(script: str) -> None:
    lines = [LINES[script].format(n=n) for n in range(300)]
    text = "\n".join(lines)
    assert utf16_len(text) > TEXT_LIMIT
    parts = split_text(text)
    assert len(parts) >= 2
    assert all(utf16_len(p) <= TEXT_LIMIT for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines  # nothing lost, no line cut


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短", 4096, ["短"]),
        ("第一行\n第二行\n第三行", 7, ["第一行\n第二行", "第三行"]),
        ("第一行\n\n\n第二行", 4, ["第一行", "第二行"]),  # blank lines at a cut are dropped
        (
            "一二三。四五六七八九十",
            8,
            ["一二三。", "四五六七八九十"],
        ),  # a too-long line: after a sentence end
        ("一二三四五六七八九十", 4, ["一二三四", "五六七八", "九十"]),  # no sentence end: at the limit
        ("一二三四五。六七", 6, ["一二三四五。", "六七"]),
        ("  \n\n", 4096, []),
    ],
)
def test_split_text(text: str, limit: int, expected: list[str]) -> None:
    assert split_text(text, limit) == expected


def test_an_emoji_counts_two_units_and_is_never_cut_in_half() -> None:
    text = "👍" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == text


def test_choices_become_one_button_per_row_on_the_last_part() -> None:
    reply = Reply(
        "您好!我是社区助手。请回复数字选择:",
        (Choice("1", "政策咨询", "/menu policy"), Choice("2", "我要求助", "/start help_request")),
    )
    assert render(reply) == (
        OutgoingText("您好!我是社区助手。请回复数字选择:", (("1 政策咨询", "1"), ("2 我要求助", "2"))),
    )
    long_reply = Reply("\n".join(["很长的一行说明文字。" * 40] * 20), reply.choices)
    parts = render(long_reply)
    assert len(parts) > 1
    assert all(p.buttons == () for p in parts[:-1])
    assert parts[-1].buttons == (("1 政策咨询", "1"), ("2 我要求助", "2"))


@pytest.mark.parametrize(
    ("label", "button"),
    [("政策咨询", "1 政策咨询"), ("政策諮詢", "1 政策諮詢"), ("問政策", "1 問政策")],
)
def test_keyboard_labels_keep_the_residents_script(label: str, button: str) -> None:
    markup = keyboard(render(Reply("请选择:", (Choice("1", label, "/menu policy"),)))[0].buttons)
    assert markup is not None
    assert markup.to_dict() == {"inline_keyboard": [[{"text": button, "callback_data": "1"}]]}


def test_a_reply_without_choices_has_no_keyboard_and_an_empty_one_sends_nothing() -> None:
    assert keyboard(render(Reply("好的。"))[0].buttons) is None
    assert render(Reply("")) == ()
    assert render(Reply(" ", (Choice("1", "同意", "/yes"),))) == (OutgoingText("1 同意", (("1 同意", "1"),)),)
