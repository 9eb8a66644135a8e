"""The entry point wires what the channel tests test: both channels in one app, settings, commands.

`bot.cli.build_web_app` is what `python -m bot serve` runs. Here it gets WeChat and Telegram at once,
pointed at the fake platforms on loopback; real WeChat XML and real Telegram Update JSON go in, and
staff replies come out through each platform's API.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from bot import cli
from bot.assistant import Assistant
from bot.errors import ConfigError
from bot.models import Case, OutboundMessage
from bot.outbound import Delivery
from bot.settings import Settings, TelegramSettings, WeChatSettings
from tests.support.clock import FakeClock
from tests.support.fake_telegram import RECORDED_USER_ID, FakeBotApi, TelegramResident, running_bot_api
from tests.support.fake_telegram import TOKEN as BOT_TOKEN
from tests.support.fake_wechat import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    RESIDENT,
    TOKEN,
    FakeWeChatServer,
    WeChatPush,
    WeChatResident,
    guard_network,
)

SECRET = "Wiring-Secret_2026"
CHAT = str(RECORDED_USER_ID)
CASE_REF = re.compile(r"HR-\d{8}-\d{4}")
CHANNEL_VARIABLES = (
    "WECHAT_TOKEN",
    "WECHAT_APP_ID",
    "WECHAT_APP_SECRET",
    "WECHAT_AES_KEY",
    "WECHAT_MODE",
    "WECHAT_TEMPLATE_ID",
    "WECHAT_API_BASE",
    "WECHAT_MAX_TIMESTAMP_AGE",
    "TELEGRAM_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
    "TELEGRAM_MODE",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_API_BASE",
)


@pytest.fixture
def wechat_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatServer]:
    guard_network(monkeypatch)
    with FakeWeChatServer() as fake:
        yield fake
    assert fake.unexpected == []


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == []


@pytest.fixture
def both(settings: Settings, wechat_api: FakeWeChatServer, bot_api: FakeBotApi) -> Settings:
    """Settings with both channels on, as `Settings.from_env` would build them, pointed at the fakes."""
    configured = replace(
        settings,
        wechat=WeChatSettings(
            token=TOKEN,
            app_id=APP_ID,
            app_secret=APP_SECRET,
            aes_key=AES_KEY,
            mode="safe",
            api_base=wechat_api.api_base,
        ),
        telegram=TelegramSettings(token=BOT_TOKEN, secret_token=SECRET, api_base=bot_api.api_base),
    )
    configured.validate()
    return configured


@pytest.fixture
def push(clock: FakeClock) -> WeChatPush:
    return WeChatPush(now=lambda: clock().timestamp())


def post_update(client: TestClient, update: dict[str, object]) -> int:
    body = json.dumps(update, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    return client.post(WEBHOOK_PATH, content=body, headers=headers).status_code


def outbound(assistant: Assistant) -> list[tuple[str, str, str]]:
    with assistant.sessions() as session:
        rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
        return [(row.channel, row.user_id, row.status) for row in rows]


def cases(assistant: Assistant) -> dict[str, str]:
    """Case reference -> channel."""
    with assistant.sessions() as session:
        return {case.ref: case.channel for case in session.scalars(select(Case))}


# --- both channels in the app `serve` runs ----------------------------------------------------------


def test_one_app_serves_both_channels_and_staff_replies_go_out_through_each_api(
    both: Settings,
    assistant: Assistant,
    wechat_api: FakeWeChatServer,
    bot_api: FakeBotApi,
    push: WeChatPush,
) -> None:
    with TestClient(cli.build_web_app(both, assistant)) as client:
        wechat_answer = WeChatResident(client, push, encryption="safe").says("我要转人工")
        assert post_update(client, TelegramResident().text("我要轉人工")) == 200
        telegram_answer = bot_api.sent_texts()[-1]

        wechat_ref = CASE_REF.search(wechat_answer)
        telegram_ref = CASE_REF.search(telegram_answer)
        assert wechat_ref is not None and telegram_ref is not None
        assert cases(assistant) == {wechat_ref.group(): "wechat", telegram_ref.group(): "telegram"}

        to_wechat = asyncio.run(
            assistant.staff.reply(ref=wechat_ref.group(), text="明天上午十点回电。", actor="社工小李")
        )
        to_telegram = asyncio.run(
            assistant.staff.set_status(ref=telegram_ref.group(), status="in_progress", actor="社工小李")
        )

    assert to_wechat.delivery == Delivery("delivered", "customer-service message")
    assert wechat_api.sent_texts() == [
        (RESIDENT, f"【社区工作人员回复】{wechat_ref.group()}:明天上午十点回电。")
    ]
    assert to_telegram.delivery.status == "delivered"
    assert bot_api.sent()[-1] == {
        "chat_id": CHAT,
        # The Telegram resident wrote Traditional, so staff news reaches them in Traditional.
        "text": f"您的登記 {telegram_ref.group()} 有新進度:正在處理。",
    }
    assert outbound(assistant) == [("wechat", RESIDENT, "delivered"), ("telegram", CHAT, "delivered")]


@pytest.mark.parametrize(
    ("mode", "telegram_line"),
    [
        ("webhook", "Telegram channel on: webhook mode, updates at /telegram/webhook"),
        ("polling", "Telegram channel on: polling mode (getUpdates while the server runs)"),
    ],
)
def test_serve_tells_which_channels_are_on_and_where(both: Settings, mode: str, telegram_line: str) -> None:
    configured = replace(both, telegram=replace(both.telegram, mode=mode))
    assert cli.channel_summary(configured) == [
        "WeChat channel on: safe mode, callbacks at /wechat",
        telegram_line,
    ]
    assert cli.channel_summary(replace(both, wechat=WeChatSettings(), telegram=TelegramSettings())) == [
        "WeChat channel off (set WECHAT_TOKEN to switch it on, see docs/wechat.md)",
        "Telegram channel off (set TELEGRAM_TOKEN to switch it on, see docs/telegram.md)",
    ]


def test_the_wechat_48_hour_window_is_read_from_the_transcript(
    both: Settings, assistant: Assistant, wechat_api: FakeWeChatServer, clock: FakeClock, push: WeChatPush
) -> None:
    # Without `last_seen` wired, the platform would be asked and would refuse with 45015.
    with TestClient(cli.build_web_app(both, assistant)) as client:
        found = CASE_REF.search(WeChatResident(client, push, encryption="safe").says("我要转人工"))
        assert found is not None
        clock.advance(hours=49)
        late = asyncio.run(assistant.staff.reply(ref=found.group(), text="材料已收到。", actor="社工小李"))
    assert late.delivery.status == "not_delivered"
    assert "48小时" in late.delivery.detail and "WECHAT_TEMPLATE_ID" in late.delivery.detail
    assert wechat_api.requests == []


def test_the_app_refuses_forged_traffic_on_both_channels(
    both: Settings, assistant: Assistant, bot_api: FakeBotApi, push: WeChatPush
) -> None:
    with TestClient(cli.build_web_app(both, assistant)) as client:
        resident = WeChatResident(client, push, encryption="safe")
        request = resident.sign(resident.message("text", content="我要转人工"))
        forged_wechat = client.post(
            "/wechat", params={**request.params, "msg_signature": "0" * 40}, content=request.body
        )
        forged_telegram = client.post(
            WEBHOOK_PATH, json=TelegramResident().text("我要转人工"), headers={SECRET_HEADER: "forged"}
        )
    assert (forged_wechat.status_code, forged_telegram.status_code) == (403, 403)
    assert cases(assistant) == {}
    assert bot_api.calls == []


# --- settings ----------------------------------------------------------------------------------------


def env_with(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"CA_DATA_DIR": str(tmp_path), **values}


WECHAT = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET}
TELEGRAM = {"TELEGRAM_TOKEN": BOT_TOKEN, "TELEGRAM_SECRET_TOKEN": SECRET}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"WECHAT_TOKEN": TOKEN}, "WECHAT_APP_ID and WECHAT_APP_SECRET are required"),
        ({**WECHAT, "WECHAT_MODE": "safe"}, "WECHAT_AES_KEY"),
        ({**WECHAT, "WECHAT_MODE": "compatible", "WECHAT_AES_KEY": AES_KEY[:-1]}, "WECHAT_AES_KEY"),
        ({**WECHAT, "WECHAT_MODE": "safe", "WECHAT_AES_KEY": AES_KEY[:-1] + "="}, "WECHAT_AES_KEY"),
        ({**WECHAT, "WECHAT_MODE": "encrypted"}, "WECHAT_MODE"),
        ({**WECHAT, "WECHAT_MAX_TIMESTAMP_AGE": "0"}, "WECHAT_MAX_TIMESTAMP_AGE"),
        ({**WECHAT, "WECHAT_API_BASE": "api.weixin.qq.com"}, "WECHAT_API_BASE"),
        ({"TELEGRAM_TOKEN": BOT_TOKEN}, "TELEGRAM_SECRET_TOKEN"),
        ({**TELEGRAM, "TELEGRAM_SECRET_TOKEN": "has spaces"}, "TELEGRAM_SECRET_TOKEN"),
        ({**TELEGRAM, "TELEGRAM_SECRET_TOKEN": "密钥"}, "TELEGRAM_SECRET_TOKEN"),
        ({**TELEGRAM, "TELEGRAM_SECRET_TOKEN": "x" * 257}, "TELEGRAM_SECRET_TOKEN"),
        ({**TELEGRAM, "TELEGRAM_TOKEN": "'7012345678:AAF'"}, "TELEGRAM_TOKEN"),
        ({**TELEGRAM, "TELEGRAM_MODE": "push"}, "TELEGRAM_MODE"),
        ({**TELEGRAM, "TELEGRAM_API_BASE": "api.telegram.org/bot"}, "TELEGRAM_API_BASE"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_channel_settings_that_cannot_work_are_refused_at_start_up(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env_with(tmp_path, **values))


@pytest.mark.parametrize(
    "values",
    [
        {},  # no channel at all
        {**WECHAT, "WECHAT_MODE": "SAFE", "WECHAT_AES_KEY": AES_KEY},
        {**WECHAT, "WECHAT_AES_KEY": "not needed in plain mode"},
        {"TELEGRAM_TOKEN": BOT_TOKEN, "TELEGRAM_MODE": "polling"},  # no secret needed
        {**TELEGRAM, "TELEGRAM_SECRET_TOKEN": "x" * 256},
    ],
)
def test_channel_settings_that_work_are_accepted(tmp_path: Path, values: dict[str, str]) -> None:
    Settings.from_env(env_with(tmp_path, **values))


def test_by_default_the_channels_call_the_real_platforms(tmp_path: Path) -> None:
    settings = Settings.from_env(env_with(tmp_path, **WECHAT, **TELEGRAM))
    assert settings.wechat.api_base == "https://api.weixin.qq.com/cgi-bin/"
    assert settings.telegram.api_base == "https://api.telegram.org/bot"


def test_channel_credentials_copied_with_a_newline_are_stripped(tmp_path: Path) -> None:
    padded = {name: f" {value}\n" for name, value in {**WECHAT, **TELEGRAM}.items()}
    settings = Settings.from_env(env_with(tmp_path, **padded))
    assert (settings.wechat.token, settings.wechat.app_secret) == (TOKEN, APP_SECRET)
    assert (settings.telegram.token, settings.telegram.secret_token) == (BOT_TOKEN, SECRET)


# --- the commands -------------------------------------------------------------------------------------


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in CHANNEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CA_DATA_DIR", str(tmp_path))
    return monkeypatch


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch, assistant: Assistant) -> Assistant:
    """`Assistant.build` answers the test's assistant: no model training in these command tests."""
    monkeypatch.setattr(Assistant, "build", classmethod(lambda cls, settings, **_: assistant))
    return assistant


def test_serve_with_a_bad_channel_setting_says_so_in_one_line(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("TELEGRAM_TOKEN", BOT_TOKEN)
    environment.setenv("TELEGRAM_SECRET_TOKEN", "my secret")
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("配置错误 configuration error: TELEGRAM_SECRET_TOKEN")


def test_serve_turns_a_channel_refusing_its_settings_into_one_line(
    settings: Settings, built: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    # Settings built in code skip Settings.validate; the channel's own check must not crash `serve`.
    unchecked = replace(
        settings, wechat=WeChatSettings(token=TOKEN, app_id=APP_ID, mode="safe", aes_key="short")
    )
    assert cli._serve(unchecked, host=None, port=None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WECHAT_AES_KEY" in err


def test_telegram_poll_needs_a_token(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["telegram-poll"]) == 2
    assert capsys.readouterr().err == "配置错误 configuration error: TELEGRAM_TOKEN is not set\n"


def test_telegram_poll_with_a_refused_token_stops_with_one_line(
    environment: pytest.MonkeyPatch, built: Assistant, bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("TELEGRAM_TOKEN", "7012345678:AAWrongToken")
    environment.setenv("TELEGRAM_API_BASE", bot_api.api_base)
    environment.setenv("TELEGRAM_MODE", "webhook")  # and no secret token: polling needs none
    assert cli.main(["telegram-poll"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_TOKEN was refused by Telegram" in err
    assert bot_api.unexpected == ["wrong token or path: getMe"]
    bot_api.unexpected.clear()
