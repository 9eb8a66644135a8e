"""Replies as WeChat text: numbered choices as lines, parts within the byte limits, whole characters."""

from __future__ import annotations

import pytest
import xmltodict
from wechatpy import parse_message

from adapters.wechat_replies import CUSTOM_LIMIT, PASSIVE_LIMIT, passive_reply, render, split_text
from dialogs.replies import Choice, Reply
from tests.support.fake_wechat import ACCOUNT, RESIDENT, load_message

# One sentence per script; the emoji is 4 bytes in UTF-8, the Chinese characters 3.
LINES = {
    "simplified": "社区长者饭堂每天中午供应午餐,请带身份证到社区党群服务中心登记。🙂",
    "traditional": "社區長者飯堂每天中午供應午餐,請帶身份證到社區黨群服務中心登記。🙂",
    "cantonese": "我哋社區有長者飯堂,你可以帶埋身份證去登記㗎,唔使錢嘅。🙂",
}


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_numbered_choices_render_as_lines() -> None:
    reply = Reply("请回复数字选择:", (Choice("1", "政策咨询", "/menu policy"), Choice("2", "我要求助", "/x")))
    assert (
        render((reply, Reply("也可以直接说话。")))
        == "请回复数字选择:\n1 政策咨询\n2 我要求助\n\n也可以直接说话。"
    )


def test_empty_replies_render_as_nothing() -> None:
    assert render((Reply(""), Reply("  "))) == ""
    assert split_text("", PASSIVE_LIMIT) == []


@pytest.mark.parametrize("script", sorted(LINES))
def test_short_text_is_one_part(script: str) -> None:
    assert split_text(LINES[script], PASSIVE_LIMIT) == [LINES[script]]


@pytest.mark.parametrize("script", sorted(LINES))
def test_long_text_splits_on_line_boundaries(script: str) -> None:
    lines = [f"{i}. {LINES[script]}" for i in range(60)]  # about 6 KB
    parts = split_text("\n".join(lines), CUSTOM_LIMIT)
    assert len(parts) > 1
    assert all(size(part) <= CUSTOM_LIMIT for part in parts)
    # Every line arrives whole and in order.
    assert [line for part in parts for line in part.split("\n")] == lines


@pytest.mark.parametrize("script", sorted(LINES))
@pytest.mark.parametrize("limit", [PASSIVE_LIMIT, 100, 7])
def test_a_line_longer_than_the_limit_is_cut_between_characters(script: str, limit: int) -> None:
    line = LINES[script] * 80  # one line, no line break to cut at
    parts = split_text(line, limit)
    assert all(0 < size(part) <= limit for part in parts)
    assert "".join(parts) == line  # nothing lost, no character cut in half


def test_a_question_stays_with_its_numbered_choices() -> None:
    menu = Reply("还想了解什么?请回复数字选择:", (Choice("1", "政策咨询", "/p"), Choice("2", "转人工", "/h")))
    long_answer = LINES["simplified"]
    while size(long_answer) + size(menu.as_text()) + 2 <= PASSIVE_LIMIT:
        long_answer += "\n" + LINES["simplified"]
    assert size(long_answer) <= PASSIVE_LIMIT  # the answer fits in a part, the choices no longer do
    parts = split_text(render((Reply(long_answer), menu)), PASSIVE_LIMIT)
    assert parts == [long_answer, "还想了解什么?请回复数字选择:\n1 政策咨询\n2 转人工"]


def test_blank_lines_between_replies_stay_inside_a_part() -> None:
    text = render((Reply("第一条"), Reply("第二条")))
    assert split_text(text, PASSIVE_LIMIT) == ["第一条\n\n第二条"]


def test_passive_reply_is_addressed_back_to_the_sender() -> None:
    message = parse_message(load_message("text", content="你好", time=1795000000))
    fields = xmltodict.parse(passive_reply(message, "您好!我是社区助手。", created=1795000001))["xml"]
    assert fields == {
        "MsgType": "text",
        "FromUserName": ACCOUNT,
        "ToUserName": RESIDENT,
        "CreateTime": "1795000001",
        "Content": "您好!我是社区助手。",
    }
