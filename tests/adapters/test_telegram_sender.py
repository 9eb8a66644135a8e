"""Staff replies and status changes through sendMessage: Bot API errors become a Delivery, never an exception."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator, Sequence

import pytest

from adapters.telegram import TelegramChannel
from bot.messages import InboundMessage, TurnOutcome
from bot.outbound import Delivery
from bot.settings import TelegramSettings
from dialogs.replies import Choice, Reply
from tests.support.fake_telegram import RECORDED_USER_ID, TOKEN, FakeBotApi, running_bot_api

CHAT = str(RECORDED_USER_ID)
STAFF_REPLY = (Reply("【社区工作人员回复】FT-2026-0001:明天上午十点上门。"),)


def no_core(message: InboundMessage) -> TurnOutcome:
    raise AssertionError("a sender never runs a turn")


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == []


def send(api_base: str, user_id: str, replies: Sequence[Reply], token: str = TOKEN) -> Delivery:
    channel = TelegramChannel(TelegramSettings(token=token, secret_token="s", api_base=api_base), no_core)
    return asyncio.run(channel.sender().send(user_id, replies))


def test_a_staff_reply_is_delivered_with_send_message(bot_api: FakeBotApi) -> None:
    assert send(bot_api.api_base, CHAT, STAFF_REPLY) == Delivery("delivered")
    assert bot_api.sent() == [
        {"chat_id": CHAT, "text": "【社区工作人员回复】FT-2026-0001:明天上午十点上门。"}
    ]


def test_choices_and_long_texts_are_rendered_as_in_a_turn(bot_api: FakeBotApi) -> None:
    replies = (Reply("您的登记有新进度。\n" + "处理说明。" * 1000, (Choice("1", "查询进度", "/status"),)),)
    assert send(bot_api.api_base, CHAT, replies).status == "delivered"
    sent = bot_api.sent()
    assert len(sent) == 3  # the first line, then the long line cut after a sentence end
    assert [p["text"] for p in sent[:1]] == ["您的登记有新进度。"]
    assert all("reply_markup" not in p and len(p["text"]) <= 4096 for p in sent[:-1])
    assert sent[-1]["reply_markup"] == {"inline_keyboard": [[{"text": "1 查询进度", "callback_data": "1"}]]}


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected_status", "detail_has"),
    [
        (
            403,
            "Forbidden: bot was blocked by the user",
            None,
            "not_delivered",
            "Forbidden: bot was blocked by the user",
        ),
        (403, "Forbidden: user is deactivated", None, "not_delivered", "Forbidden: user is deactivated"),
        (400, "Bad Request: chat not found", None, "not_delivered", "BadRequest: Chat not found"),
        (
            429,
            "Too Many Requests: retry after 7",
            7,
            "failed",
            "RetryAfter: Flood control exceeded. Retry in 7",
        ),
        (502, "Bad Gateway", None, "failed", "NetworkError: Bad Gateway"),
        (500, "Internal Server Error", None, "failed", "Internal Server Error"),
    ],
)
def test_platform_errors_become_a_delivery(
    bot_api: FakeBotApi,
    status: int,
    description: str,
    retry_after: int | None,
    expected_status: str,
    detail_has: str,
) -> None:
    bot_api.fail("sendMessage", chat_id=CHAT, status=status, description=description, retry_after=retry_after)
    delivery = send(bot_api.api_base, CHAT, STAFF_REPLY)
    assert delivery.status == expected_status
    assert detail_has in delivery.detail


def test_a_refusal_midway_stops_and_says_how_much_went_out(bot_api: FakeBotApi) -> None:
    bot_api.fail("sendMessage", status=403, description="Forbidden: bot was blocked by the user", after=1)
    delivery = send(bot_api.api_base, CHAT, (Reply("第一条。"), Reply("第二条。"), Reply("第三条。")))
    assert delivery.status == "not_delivered"
    assert delivery.detail == "Forbidden: Forbidden: bot was blocked by the user; 1 of 3 messages sent"
    assert bot_api.sent_texts() == ["第一条。", "第二条。"]  # the third is not attempted


def test_a_user_id_that_is_not_a_chat_id_is_not_delivered(bot_api: FakeBotApi) -> None:
    delivery = send(bot_api.api_base, "resident-1", STAFF_REPLY)
    assert delivery.status == "not_delivered"
    assert bot_api.calls == []


def test_an_unreachable_bot_api_is_a_failed_delivery() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    delivery = send(f"http://127.0.0.1:{port}/bot", CHAT, STAFF_REPLY)
    assert delivery.status == "failed"
    assert delivery.detail.startswith(("NetworkError", "TimedOut"))


def test_a_refused_token_is_a_failed_delivery(bot_api: FakeBotApi) -> None:
    delivery = send(bot_api.api_base, CHAT, STAFF_REPLY, token="7012345678:AAWrongToken")
    assert delivery.status == "failed"
    assert delivery.detail.startswith("InvalidToken")
    assert bot_api.unexpected == ["wrong token or path: getMe"]
    bot_api.unexpected.clear()
