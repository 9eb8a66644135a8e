"""Polling for development: getUpdates feeds the same translation, in order, confirming what it took."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from telegram.error import Conflict, InvalidToken

from adapters.telegram import TelegramChannel
from adapters.telegram_polling import MAX_BACKOFF_SECONDS, backoff_seconds
from adapters.telegram_updates import ALLOWED_UPDATES
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.errors import ConfigError
from bot.messages import InboundMessage, TurnOutcome
from bot.settings import Settings, TelegramSettings
from dialogs import texts
from dialogs.replies import Reply
from tests.support.fake_telegram import RECORDED_USER_ID, TOKEN, FakeBotApi, TelegramResident, running_bot_api

CHAT = str(RECORDED_USER_ID)


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == []


def polling_settings(api: FakeBotApi, token: str = TOKEN) -> TelegramSettings:
    return TelegramSettings(token=token, mode="polling", api_base=api.api_base)


def test_a_poll_answers_each_update_in_order_and_confirms_them(
    bot_api: FakeBotApi, assistant: Assistant
) -> None:
    channel = TelegramChannel(polling_settings(bot_api), assistant.handle)
    resident = TelegramResident()
    start, press = resident.command("/start"), resident.press("2")
    bot_api.queue_update(start)
    bot_api.queue_update(press)

    async def two_polls() -> tuple[int, int]:
        first = await channel.poller.poll_once(timeout=0)
        second = await channel.poller.poll_once(timeout=0)
        await channel.aclose()
        return first, second

    assert asyncio.run(two_polls()) == (2, 0)
    assert [c.method for c in bot_api.calls] == [
        "getMe",
        "getUpdates",
        "sendMessage",
        "answerCallbackQuery",
        "sendMessage",
        "getUpdates",
    ]
    first_poll, second_poll = bot_api.calls_to("getUpdates")
    assert first_poll.params == {"timeout": "0", "allowed_updates": list(ALLOWED_UPDATES)}
    assert second_poll.params["offset"] == str(press["update_id"] + 1)
    welcome, consent = bot_api.sent()
    assert (welcome["chat_id"], welcome["text"]) == (CHAT, texts.WELCOME)
    assert consent["text"].startswith("登记求助前")


def test_an_update_that_fails_is_skipped_and_the_next_one_answered(bot_api: FakeBotApi) -> None:
    def core(message: InboundMessage) -> TurnOutcome:
        if message.text == "坏消息":
            raise RuntimeError("this turn fails")
        return TurnOutcome(
            replies=(Reply("好的。"),), text=message.text, intent="greet", confidence=1.0, action="menu"
        )

    channel = TelegramChannel(polling_settings(bot_api), core)
    resident = TelegramResident()
    bad, good = resident.text("坏消息"), resident.text("你好")
    bot_api.queue_update(bad)
    bot_api.queue_update(good)

    async def poll() -> int:
        try:
            return await channel.poller.poll_once(timeout=0)
        finally:
            await channel.aclose()

    assert asyncio.run(poll()) == 2
    assert bot_api.sent() == [{"chat_id": CHAT, "text": "好的。"}]


def test_polling_runs_inside_the_server_for_its_lifetime(
    bot_api: FakeBotApi, settings: Settings, assistant: Assistant
) -> None:
    configured = replace(settings, telegram=polling_settings(bot_api))
    with TestClient(build_web_app(configured, assistant)):
        bot_api.queue_update(TelegramResident().command("/start"))
        assert bot_api.wait_for("sendMessage")
    [welcome] = bot_api.sent()
    assert welcome["text"] == texts.WELCOME
    assert bot_api.calls_to("getUpdates")[0].params["allowed_updates"] == list(ALLOWED_UPDATES)


def test_polling_never_removes_a_webhook_it_conflicts_with(bot_api: FakeBotApi) -> None:
    bot_api.fail(
        "getUpdates",
        status=409,
        description="Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
    bot_api.queue_update(TelegramResident().command("/start"))
    channel = TelegramChannel(polling_settings(bot_api), lambda m: None)  # type: ignore[arg-type, return-value]

    async def poll() -> None:
        try:
            await channel.poller.poll_once(timeout=0)
        finally:
            await channel.aclose()

    with pytest.raises(Conflict):
        asyncio.run(poll())
    assert [c.method for c in bot_api.calls] == ["getMe", "getUpdates"]


def test_a_refused_token_stops_polling_with_a_configuration_error(bot_api: FakeBotApi) -> None:
    channel = TelegramChannel(polling_settings(bot_api, token="7012345678:AAWrongToken"), lambda m: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError, match="TELEGRAM_TOKEN was refused") as raised:
        channel.run_polling()
    assert isinstance(raised.value.__cause__, InvalidToken)
    assert bot_api.unexpected == ["wrong token or path: getMe"]
    bot_api.unexpected.clear()


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 1.0), (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, MAX_BACKOFF_SECONDS), (50, 30.0)],
)
def test_backoff_doubles_up_to_a_ceiling(failures: int, seconds: float) -> None:
    assert backoff_seconds(failures) == seconds
