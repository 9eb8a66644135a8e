"""Conversations on Telegram, end to end: real Update JSON posted to the running app, the real core
behind it, the fake Bot API in front of the replies. Asserts the exact outgoing payloads and the rows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.models import Case, Conversation, MessageLog, OutboundMessage
from bot.settings import Settings, TelegramSettings
from dialogs import texts
from tests.support.fake_telegram import RECORDED_USER_ID, TOKEN, FakeBotApi, TelegramResident, running_bot_api

SECRET = "Webhook-Secret_2026"
CHAT = str(RECORDED_USER_ID)
PHONE = "13800138000"


def keyboard(*labels: str) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": f"{n} {label}", "callback_data": str(n)}] for n, label in enumerate(labels, 1)
        ]
    }


MAIN_MENU = keyboard(*(label for label, _ in texts.MENU_LABELS))


@dataclass
class TelegramChat:
    """The resident's side of the chat: each action posts the update and returns what the bot sent back."""

    client: TestClient
    api: FakeBotApi
    resident: TelegramResident

    def post(self, update: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update, ensure_ascii=False).encode("utf-8")
        return self.client.post(WEBHOOK_PATH, content=body, headers=headers).status_code

    def deliver(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.api.sent())
        assert self.post(update) == 200
        return self.api.sent()[before:]

    def says(self, text: str) -> list[dict[str, Any]]:
        return self.deliver(self.resident.text(text))

    def command(self, text: str) -> list[dict[str, Any]]:
        return self.deliver(self.resident.command(text))

    def presses(self, key: str) -> list[dict[str, Any]]:
        return self.deliver(self.resident.press(key))


def text_of(sent: list[dict[str, Any]]) -> str:
    return "\n".join(p["text"] for p in sent)


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with running_bot_api() as api:
        yield api
    assert api.unexpected == [], "the adapter called a Bot API method it should not"


@pytest.fixture
def chat(settings: Settings, assistant: Assistant, bot_api: FakeBotApi) -> Iterator[TelegramChat]:
    configured = replace(
        settings, telegram=TelegramSettings(token=TOKEN, secret_token=SECRET, api_base=bot_api.api_base)
    )
    with TestClient(build_web_app(configured, assistant)) as client:
        yield TelegramChat(client, bot_api, TelegramResident())


def rows(assistant: Assistant, model: type[Any]) -> list[Any]:
    with assistant.sessions() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def count(assistant: Assistant, model: type[Any]) -> int:
    with assistant.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def fill_help_request(chat: TelegramChat) -> str:
    """/start, then buttons and typed answers through the whole form; returns the case reference."""
    chat.command("/start")
    chat.presses("2")  # 我要求助
    chat.presses("1")  # 同意
    chat.presses("1")  # 老人照护
    chat.says("我妈妈八十多岁,腿脚不方便,想请人每周上门帮忙打扫")
    chat.says("莲花街道彩田社区")
    chat.says(PHONE)
    chat.says("陈女士")
    chat.presses("2")  # 一般
    done = chat.presses("1")  # 确认提交
    [case] = rows(chat_assistant(chat), Case)
    assert case.ref in done[0]["text"]
    return case.ref


def chat_assistant(chat: TelegramChat) -> Assistant:
    return chat.client.app.state.assistant  # type: ignore[attr-defined, no-any-return]


# --- conversations -------------------------------------------------------------------------------


def test_start_shows_the_welcome_with_the_menu_as_buttons(chat: TelegramChat) -> None:
    assert chat.command("/start") == [{"chat_id": CHAT, "text": texts.WELCOME, "reply_markup": MAIN_MENU}]
    assert [c.method for c in chat.api.calls] == ["getMe", "sendMessage"]


def test_help_shows_the_help_menu(chat: TelegramChat) -> None:
    assert chat.command("/help") == [{"chat_id": CHAT, "text": texts.HELP, "reply_markup": MAIN_MENU}]


@pytest.mark.parametrize(
    ("question", "amount", "source"),
    [
        ("示范点每个社区资助多少钱?", "15万元", "来源:《深圳市“社区建设示范点”项目实施方案》"),
        ("示範點每個社區資助多少錢?", "15萬元", "來源:《深圳市“社區建設示範點”項目實施方案》"),
        ("示范点每个社区资助几多钱呀?", "15万元", "《深圳市“社区建设示范点”项目实施方案》"),
    ],
    ids=["simplified", "traditional", "cantonese"],
)
def test_a_policy_question_is_answered_with_its_citation(
    chat: TelegramChat, assistant: Assistant, question: str, amount: str, source: str
) -> None:
    sent = chat.says(question)
    answer = text_of(sent)
    assert amount in answer
    assert source in answer
    assert all(p["chat_id"] == CHAT for p in sent)
    logged = rows(assistant, MessageLog)
    assert [m.direction for m in logged][:2] == ["in", "out"]
    assert {(m.channel, m.user_id) for m in logged} == {("telegram", CHAT)}


def test_pressing_2_after_start_answers_the_button_and_asks_for_consent(chat: TelegramChat) -> None:
    chat.command("/start")
    update = chat.resident.press("2")
    sent = chat.deliver(update)
    assert chat.api.calls_to("answerCallbackQuery")[-1].params == {
        "callback_query_id": update["callback_query"]["id"]
    }
    [consent] = sent
    assert consent["chat_id"] == CHAT
    assert consent["text"].startswith("登记求助前,请您先了解")
    assert "您同意吗?" in consent["text"]
    assert consent["reply_markup"] == keyboard("同意", "不同意")
    methods = [c.method for c in chat.api.calls]
    assert methods.index("answerCallbackQuery") < len(methods) - 1  # acknowledged before the answer


def test_a_whole_help_request_through_buttons_and_text_ends_in_a_case(
    chat: TelegramChat, assistant: Assistant
) -> None:
    chat.command("/start")
    assert "您同意吗?" in text_of(chat.presses("2"))
    [need] = chat.presses("1")
    assert need["reply_markup"]["inline_keyboard"][0] == [{"text": "1 老人照护", "callback_data": "1"}]
    assert "具体情况" in text_of(chat.presses("1"))
    assert "哪个社区" in text_of(chat.says("我妈妈八十多岁,腿脚不方便,想请人每周上门帮忙打扫"))
    assert "联系电话" in text_of(chat.says("莲花街道彩田社区"))
    assert "怎么称呼" in text_of(chat.says(PHONE))
    [urgency] = chat.says("陈女士")
    assert urgency["reply_markup"] == keyboard("紧急(今天就需要)", "一般")
    [summary] = chat.presses("2")
    assert "138****8000" in summary["text"] and PHONE not in summary["text"]
    assert summary["reply_markup"] == keyboard("确认提交", "修改", "取消")
    [done] = chat.presses("1")

    [case] = rows(assistant, Case)
    assert done == {"chat_id": CHAT, "text": done["text"]}  # no buttons on the confirmation
    assert case.ref in done["text"]
    assert (case.kind, case.status, case.need_type, case.urgency) == ("help", "new", "elderly_care", "normal")
    assert (case.channel, case.user_id) == ("telegram", CHAT)
    assert "彩田社区" in case.community
    assert assistant.cipher.decrypt(case.phone_enc) == "+86" + PHONE
    assert PHONE not in case.phone_enc
    assert len(chat.api.calls_to("answerCallbackQuery")) == 5


def test_status_lists_the_residents_cases(chat: TelegramChat) -> None:
    ref = fill_help_request(chat)
    [status] = chat.command("/status")
    assert status["text"].startswith(texts.STATUS_HEAD)
    assert f"{ref}(求助):{texts.STATUS_LABELS['new']}" in status["text"]


def test_status_without_cases_offers_to_register(chat: TelegramChat) -> None:
    [status] = chat.command("/status")
    assert status["text"] == texts.STATUS_NONE
    assert status["reply_markup"] == keyboard("我要求助", "志愿报名")


def test_cancel_in_the_middle_of_the_form_keeps_nothing(chat: TelegramChat, assistant: Assistant) -> None:
    chat.command("/start")
    chat.presses("2")
    chat.presses("1")  # 同意
    chat.presses("1")  # 老人照护
    chat.says("我妈妈腿脚不方便,需要上门照护")
    assert "联系电话" in text_of(chat.says("莲花街道彩田社区"))
    assert chat.command("/cancel") == [{"chat_id": CHAT, "text": texts.CANCELLED}]
    # The form is gone: the phone number no longer answers it (it would ask for a name next).
    assert "怎么称呼" not in text_of(chat.says(PHONE))
    assert count(assistant, Case) == 0


@pytest.mark.parametrize(
    ("fixture", "reply"),
    [
        ("photo", texts.MEDIA_REPLIES["image"]),
        ("sticker", texts.MEDIA_REPLIES["image"]),
        ("location", texts.MEDIA_REPLIES["location"]),
        ("voice", texts.MEDIA_REPLIES["other"]),
        ("document_pdf", texts.MEDIA_REPLIES["other"]),
    ],
)
def test_media_gets_a_polite_answer(chat: TelegramChat, fixture: str, reply: str) -> None:
    assert chat.deliver(chat.resident.fixture(fixture)) == [
        {"chat_id": CHAT, "text": reply, "reply_markup": MAIN_MENU}
    ]


def test_a_voice_message_is_not_answered_with_a_request_for_voice(chat: TelegramChat) -> None:
    # Telegram gives bots no speech recognition: asking for "文字或语音" would invite the same again.
    [answer] = chat.deliver(chat.resident.fixture("voice"))
    assert "文字" in answer["text"] and "语音" not in answer["text"]


def test_a_resident_writing_traditional_gets_traditional_buttons(chat: TelegramChat) -> None:
    chat.says("示範點每個社區資助多少錢?")
    [welcome] = chat.command("/start")
    assert welcome["text"].startswith("您好!我是社區助手")
    assert welcome["reply_markup"]["inline_keyboard"][0] == [{"text": "1 政策諮詢", "callback_data": "1"}]


def test_channel_posts_and_membership_changes_are_acknowledged_and_not_stored(
    chat: TelegramChat, assistant: Assistant
) -> None:
    for fixture in ("channel_post", "my_chat_member", "group_message"):
        assert chat.post(chat.resident.fixture(fixture)) == 200
    assert chat.api.sent() == []
    assert count(assistant, MessageLog) == 0


# --- what Telegram must not be able to do ----------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "forged-secret", SECRET + "0"], ids=["missing", "forged", "longer"])
def test_a_missing_or_forged_secret_token_is_refused_and_nothing_is_stored(
    chat: TelegramChat, assistant: Assistant, secret: str | None
) -> None:
    assert chat.post(chat.resident.text("我要求助"), secret=secret) == 403
    assert chat.api.calls == []
    assert count(assistant, MessageLog) == 0
    assert count(assistant, Conversation) == 0


def test_malformed_json_is_refused_with_400(chat: TelegramChat, assistant: Assistant) -> None:
    assert chat.post(None, raw=b'{"update_id": 431029301, "message": {') == 400
    assert chat.api.calls == []
    assert count(assistant, MessageLog) == 0


def test_an_oversize_body_is_refused_with_413(chat: TelegramChat, assistant: Assistant) -> None:
    update = chat.resident.text("很长的留言。" * 20_000)
    assert len(json.dumps(update, ensure_ascii=False).encode()) > assistant.settings.max_body_bytes
    assert chat.post(update) == 413
    assert chat.api.calls == []
    assert count(assistant, MessageLog) == 0


def test_a_repeated_update_id_is_answered_once(chat: TelegramChat, assistant: Assistant) -> None:
    update = chat.resident.text("示范点每个社区资助多少钱?")
    first = chat.deliver(update)
    assert first
    assert chat.deliver(update) == []  # Telegram's retry: replayed by the core, nothing sent
    assert chat.deliver(update) == []
    inbound = [m for m in rows(assistant, MessageLog) if m.direction == "in"]
    assert len(inbound) == 1
    assert inbound[0].platform_msg_id is not None
    assert inbound[0].platform_msg_id.startswith(f"{update['update_id']}:")


# --- messages outside a turn ---------------------------------------------------------------------


def test_a_staff_reply_is_delivered_through_send_message(chat: TelegramChat, assistant: Assistant) -> None:
    ref = fill_help_request(chat)
    chat.api.clear()
    result = asyncio.run(assistant.staff.reply(ref=ref, text="明天上午十点上门看看。", actor="王社工"))
    assert result.delivery.status == "delivered"
    assert chat.api.sent() == [{"chat_id": CHAT, "text": f"【社区工作人员回复】{ref}:明天上午十点上门看看。"}]
    [outbound] = rows(assistant, OutboundMessage)
    assert (outbound.channel, outbound.user_id, outbound.status) == ("telegram", CHAT, "delivered")


def test_a_status_change_is_delivered_through_send_message(chat: TelegramChat, assistant: Assistant) -> None:
    ref = fill_help_request(chat)
    chat.api.clear()
    result = asyncio.run(assistant.staff.set_status(ref=ref, status="in_progress", actor="王社工"))
    assert result.delivery.status == "delivered"
    [sent] = chat.api.sent()
    assert sent == {
        "chat_id": CHAT,
        "text": f"您的登记 {ref} 有新进度:{texts.STATUS_LABELS['in_progress']}。",
    }


def test_a_resident_who_blocked_the_bot_is_recorded_as_not_delivered(
    chat: TelegramChat, assistant: Assistant
) -> None:
    ref = fill_help_request(chat)
    chat.api.fail(
        "sendMessage", chat_id=CHAT, status=403, description="Forbidden: bot was blocked by the user"
    )
    result = asyncio.run(assistant.staff.reply(ref=ref, text="明天上午十点上门看看。", actor="王社工"))
    assert result.delivery.status == "not_delivered"
    [outbound] = rows(assistant, OutboundMessage)
    assert outbound.status == "not_delivered"
    assert "bot was blocked by the user" in outbound.detail
