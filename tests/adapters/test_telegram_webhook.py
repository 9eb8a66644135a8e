"""The webhook on its own: a scripted core behind it, the fake Bot API in front of the replies.

What the adapter guarantees whatever the core says: authentication, body limits, which updates
reach the core, and what goes out to Telegram (exact payloads). The conversations with the real
core are in test_telegram_conversation.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from adapters.telegram import TelegramChannel
from adapters.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.errors import ConfigError
from bot.messages import InboundMessage, MessageKind, TurnOutcome
from bot.settings import TelegramSettings
from dialogs.replies import Choice, Reply
from tests.support.fake_telegram import RECORDED_USER_ID, TOKEN, FakeBotApi, TelegramResident, running_bot_api

SECRET = "s3cret-Token_for-tests"
CHAT = str(RECORDED_USER_ID)
MAX_BODY = 4096


@dataclass
class ScriptedCore:
    """Stands in for the pipeline: records what it is given, answers `replies`, replays repeated ids."""

    replies: tuple[Reply, ...] = (Reply("好的。"),)
    received: list[InboundMessage] = field(default_factory=list)
    fail: bool = False

    def __call__(self, message: InboundMessage) -> TurnOutcome:
        if self.fail:
            raise RuntimeError("database unavailable")
        replayed = any(m.message_id == message.message_id for m in self.received)
        self.received.append(message)
        return TurnOutcome(
            replies=self.replies,
            text=message.text,
            intent="greet",
            confidence=1.0,
            action="menu",
            replayed=replayed,
        )


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == [], "the adapter called a Bot API method it should not"


@pytest.fixture
def core() -> ScriptedCore:
    return ScriptedCore()


def telegram_settings(api: FakeBotApi, **changes: Any) -> TelegramSettings:
    values: dict[str, Any] = {"token": TOKEN, "secret_token": SECRET, "api_base": api.api_base, **changes}
    return TelegramSettings(**values)


@pytest.fixture
def client(bot_api: FakeBotApi, core: ScriptedCore) -> Iterator[TestClient]:
    app = FastAPI()  # no body-size middleware here: the adapter's own guard is under test
    app.include_router(TelegramChannel(telegram_settings(bot_api), core, max_body=MAX_BODY).router())
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, update: Any, *, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = update if isinstance(update, bytes) else json.dumps(update, ensure_ascii=False).encode("utf-8")
    return client.post(WEBHOOK_PATH, content=body, headers=headers).status_code


def test_a_message_reaches_the_core_and_the_reply_goes_back_to_the_chat(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    assert post(client, TelegramResident().text("你好")) == 200
    assert [(m.channel, m.user_id, m.text, m.kind) for m in core.received] == [
        ("telegram", CHAT, "你好", MessageKind.TEXT)
    ]
    assert [c.method for c in bot_api.calls] == ["getMe", "sendMessage"]
    assert bot_api.sent() == [{"chat_id": CHAT, "text": "好的。"}]


def test_choices_are_sent_as_an_inline_keyboard(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    core.replies = (
        Reply(
            "登记求助前,请您先了解……您同意吗?", (Choice("1", "同意", "/yes"), Choice("2", "不同意", "/no"))
        ),
    )
    assert post(client, TelegramResident().command("/start help_request")) == 200
    assert core.received[0].event == "/start help_request"
    assert bot_api.sent() == [
        {
            "chat_id": CHAT,
            "text": "登记求助前,请您先了解……您同意吗?",
            "reply_markup": {
                "inline_keyboard": [
                    [{"text": "1 同意", "callback_data": "1"}],
                    [{"text": "2 不同意", "callback_data": "2"}],
                ]
            },
        }
    ]


def test_a_pressed_button_is_acknowledged_then_answered(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    update = TelegramResident().press("2")
    assert post(client, update) == 200
    assert core.received[0].text == "2"
    assert [c.method for c in bot_api.calls] == ["getMe", "answerCallbackQuery", "sendMessage"]
    assert bot_api.calls_to("answerCallbackQuery")[0].params == {
        "callback_query_id": update["callback_query"]["id"]
    }


def test_several_replies_and_long_ones_go_out_in_order(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    long_text = "\n".join(f"第{n}条:社区长者助餐服务,每餐补贴标准见目录原文。" for n in range(200))
    core.replies = (Reply("先说结论。"), Reply(long_text))
    assert post(client, TelegramResident().text("长者助餐有什么补贴?")) == 200
    texts = bot_api.sent_texts()
    assert texts[0] == "先说结论。"
    assert len(texts) >= 3
    assert all(len(t) <= 4096 for t in texts)
    assert "\n".join(texts[1:]) == long_text


def test_the_update_id_is_the_message_id_so_a_retried_update_is_answered_once(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    update = TelegramResident().text("你好")
    assert post(client, update) == 200
    assert post(client, update) == 200  # Telegram retries when it missed our 200
    assert len(core.received) == 2
    assert core.received[0].message_id == core.received[1].message_id
    assert core.received[0].message_id.startswith(f"{update['update_id']}:")
    assert len(bot_api.sent()) == 1


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), "密钥"],
    ids=["missing", "empty", "wrong", "prefix", "longer", "case", "non-ascii"],
)
def test_a_missing_or_forged_secret_token_is_refused_before_anything_happens(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore, secret: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = json.dumps(TelegramResident().text("你好")).encode()
    response = client.post(WEBHOOK_PATH, content=body, headers={k: v.encode() for k, v in headers.items()})
    assert response.status_code == 403
    assert core.received == []
    assert bot_api.calls == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'"update"',
        b"{}",
        b'{"update_id": "431029301"}',
        b'{"update_id": true}',
        b'{"update_id": 431029301, "message": 5}',
        b'{"update_id": 431029301, "message": {"text": "chat and date missing"}}',
    ],
)
def test_a_body_that_is_not_an_update_is_refused_with_400(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore, body: bytes
) -> None:
    assert post(client, body) == 400
    assert core.received == []
    assert bot_api.calls == []


def test_an_oversize_body_is_refused_with_413_even_without_a_content_length(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    update = TelegramResident().text("很长的留言" * 2000)
    body = json.dumps(update, ensure_ascii=False).encode("utf-8")
    assert len(body) > MAX_BODY
    assert post(client, body) == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    chunked = client.post(WEBHOOK_PATH, content=chunks(), headers={SECRET_HEADER: SECRET})
    assert chunked.status_code == 413
    assert core.received == []
    assert bot_api.calls == []


@pytest.mark.parametrize("fixture", ["channel_post", "my_chat_member", "group_message", "inline_query"])
def test_updates_not_from_a_resident_are_acknowledged_and_ignored(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore, fixture: str
) -> None:
    assert post(client, TelegramResident().fixture(fixture)) == 200
    assert core.received == []
    assert bot_api.calls == []


def test_a_resident_who_blocked_the_bot_still_gets_the_update_acknowledged(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    bot_api.fail(
        "sendMessage", chat_id=CHAT, status=403, description="Forbidden: bot was blocked by the user"
    )
    assert post(client, TelegramResident().text("你好")) == 200
    assert len(core.received) == 1


def test_a_failing_turn_answers_500_so_telegram_retries(
    client: TestClient, bot_api: FakeBotApi, core: ScriptedCore
) -> None:
    core.fail = True
    assert post(client, TelegramResident().text("你好")) == 500
    assert bot_api.calls == []


def test_the_bot_is_initialised_once_per_event_loop(client: TestClient, bot_api: FakeBotApi) -> None:
    resident = TelegramResident()
    for text in ("你好", "我要求助", "查询进度"):
        assert post(client, resident.text(text)) == 200
    assert len(bot_api.calls_to("getMe")) == 1
    assert len(bot_api.sent()) == 3


def test_in_polling_mode_there_is_no_webhook_to_post_to(bot_api: FakeBotApi, core: ScriptedCore) -> None:
    channel = TelegramChannel(telegram_settings(bot_api, mode="polling", secret_token=""), core)
    app = FastAPI()
    app.include_router(channel.router())
    response = TestClient(app).post(WEBHOOK_PATH, json=TelegramResident().text("你好"))
    assert response.status_code == 404
    assert core.received == []


@pytest.mark.parametrize(
    "changes",
    [
        {"token": ""},
        {"secret_token": ""},
        {"secret_token": "has spaces in it"},
        {"secret_token": "x" * 257},
        {"mode": "carrier-pigeon"},
    ],
)
def test_a_channel_that_could_not_work_is_refused_at_start_up(
    bot_api: FakeBotApi, core: ScriptedCore, changes: dict[str, str]
) -> None:
    with pytest.raises(ConfigError):
        TelegramChannel(telegram_settings(bot_api, **changes), core)
