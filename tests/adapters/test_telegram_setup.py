"""scripts/telegram_webhook.py against the fake Bot API: set, inspect and delete the webhook; the token
never reaches the logs."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from adapters.telegram import TelegramChannel
from adapters.telegram_logging import MASK
from adapters.telegram_setup import check_webhook_url
from adapters.telegram_updates import ALLOWED_UPDATES
from bot.errors import ConfigError
from bot.settings import TelegramSettings
from dialogs.replies import Reply
from tests.support.fake_telegram import RECORDED_USER_ID, TOKEN, FakeBotApi, running_bot_api

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Webhook-Secret_2026"
URL = "https://assistant.example.org/telegram/webhook"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "telegram_webhook_script", ROOT / "scripts" / "telegram_webhook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == []


def env(api: FakeBotApi, **changes: str) -> dict[str, str]:
    values = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_WEBHOOK_URL": URL,
        "TELEGRAM_API_BASE": api.api_base,
    }
    values.update(changes)
    return values


def test_set_registers_the_url_the_secret_token_and_the_update_types(
    script: ModuleType, bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.main(["set"], env(bot_api)) == 0
    assert capsys.readouterr().out == f"webhook set: {URL}\n"
    [call] = bot_api.calls_to("setWebhook")
    assert call.params == {
        "url": URL,
        "secret_token": SECRET,
        "allowed_updates": list(ALLOWED_UPDATES),
        "drop_pending_updates": "false",
    }


def test_set_can_drop_pending_updates_and_limit_connections(script: ModuleType, bot_api: FakeBotApi) -> None:
    assert script.main(["set", "--drop-pending", "--max-connections", "4"], env(bot_api)) == 0
    [call] = bot_api.calls_to("setWebhook")
    assert (call.params["drop_pending_updates"], call.params["max_connections"]) == ("true", "4")


def test_info_shows_what_telegram_holds(
    script: ModuleType, bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    script.main(["set"], env(bot_api))
    capsys.readouterr()
    assert script.main(["info"], env(bot_api)) == 0
    out = capsys.readouterr().out
    assert f"url: {URL}" in out
    assert "pending updates: 0" in out
    assert "allowed updates: message, edited_message, callback_query" in out


def test_delete_removes_the_webhook(script: ModuleType, bot_api: FakeBotApi) -> None:
    script.main(["set"], env(bot_api))
    assert script.main(["delete", "--drop-pending"], env(bot_api)) == 0
    assert bot_api.webhook.url == ""
    assert bot_api.calls_to("deleteWebhook")[0].params == {"drop_pending_updates": "true"}


@pytest.mark.parametrize(
    "changes",
    [
        {"TELEGRAM_WEBHOOK_URL": ""},
        {"TELEGRAM_WEBHOOK_URL": "http://assistant.example.org/telegram/webhook"},
        {"TELEGRAM_WEBHOOK_URL": "https://assistant.example.org:8000/telegram/webhook"},
        {"TELEGRAM_SECRET_TOKEN": ""},
        {"TELEGRAM_TOKEN": ""},
    ],
    ids=["no-url", "http", "port", "no-secret", "no-token"],
)
def test_set_refuses_what_telegram_would_refuse_without_calling_it(
    script: ModuleType, bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str], changes: dict[str, str]
) -> None:
    assert script.main(["set"], env(bot_api, **changes)) == 2
    assert "configuration error" in capsys.readouterr().err
    assert bot_api.calls == []


def test_a_refusal_by_telegram_is_reported(
    script: ModuleType, bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    bot_api.fail("setWebhook", status=400, description="Bad Request: bad webhook: Failed to resolve host")
    assert script.main(["set"], env(bot_api)) == 1
    assert capsys.readouterr().err == "Telegram refused: BadRequest: Bad webhook: failed to resolve host\n"


@pytest.mark.parametrize(
    ("url", "warnings"),
    [
        (URL, 0),
        ("https://assistant.example.org:8443/telegram/webhook", 0),
        ("https://assistant.example.org/hooks/tg", 1),  # allowed, if a proxy maps it to the webhook path
    ],
)
def test_webhook_url_checks(url: str, warnings: int) -> None:
    assert len(check_webhook_url(url)) == warnings


def test_a_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        check_webhook_url("ftp://assistant.example.org/telegram/webhook")


def test_the_bot_token_never_reaches_the_logs(bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    channel = TelegramChannel(
        TelegramSettings(token=TOKEN, secret_token=SECRET, api_base=bot_api.api_base),
        lambda m: None,  # type: ignore[arg-type, return-value]
    )
    with caplog.at_level(logging.DEBUG):
        assert (
            asyncio.run(channel.sender().send(str(RECORDED_USER_ID), (Reply("您好。"),))).status
            == "delivered"
        )
    assert "sendMessage" in caplog.text  # httpx did log the request URL...
    assert TOKEN not in caplog.text  # ...without the token
    assert MASK in caplog.text
