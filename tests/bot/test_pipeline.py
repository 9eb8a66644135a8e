"""The whole pipeline through a real adapter and a real SQLite database (issue 2)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.messages import MessageKind
from bot.models import Conversation, MessageLog


def test_greeting_offers_the_main_menu_as_numbered_choices(resident: CollectingChannel) -> None:
    reply = resident.say("你好")
    assert resident.last.intent == "greet"
    assert "社区助手" in reply
    assert "1 政策咨询" in reply and "2 我要求助" in reply


def test_a_digit_answers_the_numbered_choices(resident: CollectingChannel) -> None:
    resident.say("你好")
    reply = resident.say("2")
    assert resident.last.action == "form:help_request"
    assert "同意" in reply


def test_chinese_digit_and_ordinal_also_answer_choices(resident: CollectingChannel) -> None:
    resident.say("你好")
    reply = resident.say("第一个")
    assert "政策问题" in reply


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x02", "\u200b\u200b"],
    ids=["empty", "spaces", "control-characters", "zero-width"],
)
def test_empty_or_invisible_messages_get_a_clear_answer(resident: CollectingChannel, text: str) -> None:
    reply = resident.say(text)
    assert "没有输入内容" in reply or "没听明白" in reply
    assert "1 政策咨询" in reply


def test_a_100kb_message_is_answered_and_truncated(resident: CollectingChannel, assistant: Assistant) -> None:
    reply = resident.say("我想问一下示范点的资助" + "啊" * 100_000)
    assert "只看了前面一部分" in reply
    with assistant.sessions() as session:
        stored = session.execute(select(MessageLog).where(MessageLog.direction == "in")).scalar_one()
        assert len(assistant.cipher.decrypt(stored.text_enc)) <= assistant.settings.max_message_chars


def test_invalid_utf8_and_lone_surrogates_never_crash(resident: CollectingChannel) -> None:
    broken = b"\xff\xfe\xfa\xe4\xbd".decode("utf-8", "surrogateescape")
    reply = resident.say(broken + "\ud800你好")
    assert reply


def test_voice_message_uses_the_recognised_text(resident: CollectingChannel) -> None:
    resident.say("", kind=MessageKind.VOICE, voice_text="那个嗯你好")
    assert resident.last.intent == "greet"


def test_voice_message_without_recognition_asks_again_kindly(resident: CollectingChannel) -> None:
    reply = resident.say("", kind=MessageKind.VOICE, voice_text="")
    assert "没听清" in reply


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MessageKind.IMAGE, "图片"),
        (MessageKind.LOCATION, "位置"),
        (MessageKind.LINK, "链接"),
        (MessageKind.OTHER, "文字"),
    ],
)
def test_other_message_kinds_get_a_polite_specific_answer(
    resident: CollectingChannel, kind: MessageKind, expected: str
) -> None:
    assert expected in resident.say("", kind=kind)


def test_a_platform_retry_gets_the_same_reply_and_is_stored_once(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    first = resident.say("你好", message_id="wx-1")
    again = resident.say("你好", message_id="wx-1")
    assert again == first
    assert resident.last.replayed
    with assistant.sessions() as session:
        inbound = session.scalar(
            select(func.count()).select_from(MessageLog).where(MessageLog.direction == "in")
        )
        assert inbound == 1


def test_state_survives_a_restart_of_the_assistant(
    assistant: Assistant, settings, interpreter, knowledge, guide, clock
) -> None:  # type: ignore[no-untyped-def]
    CollectingChannel(assistant.handle).say("我要求助")
    restarted = Assistant.build(
        settings, interpreter=interpreter, knowledge=knowledge, guide=guide, clock=clock
    )
    reply = CollectingChannel(restarted.handle).say("同意")
    assert "哪方面的帮助" in reply
    restarted.close()


def test_conversation_state_is_not_stored_in_plain_text(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我要求助")
    with assistant.sessions() as session:
        row = session.execute(select(Conversation)).scalar_one()
        assert "help_request" not in row.state_enc
        assert json.loads(assistant.cipher.decrypt(row.state_enc))["flow"]["name"] == "help_request"


def test_traditional_chinese_is_answered_in_traditional(resident: CollectingChannel) -> None:
    reply = resident.say("你好,我想請問點樣申請義工")
    assert "繁" not in reply  # sanity: no literal marker
    assert (
        any(ch in reply for ch in "請幫問與這個機構資料") or "們" in reply or "誌" in reply or "願" in reply
    )


@pytest.mark.parametrize("digit", ["9", "0", "七", "第8个"])
def test_a_digit_outside_the_menu_offers_the_same_choices_again(
    resident: CollectingChannel, digit: str
) -> None:
    resident.say("你好")
    reply = resident.say(digit)
    assert "没有这个选项。请回复 1 到 6 之间的数字" in reply and "6 转人工" in reply
    resident.say("2")
    assert resident.last.action == "form:help_request"


def test_a_digit_when_no_choices_were_offered_shows_the_menu(resident: CollectingChannel) -> None:
    resident.say("示范点每个社区资助多少钱")
    reply = resident.say("3")
    assert "请回复数字选择" in reply and "3 志愿报名" in reply


@pytest.mark.parametrize("chat", ["今天天气怎么样", "講個笑話", "今日天氣點呀"])
def test_chit_chat_is_told_plainly_what_the_assistant_can_do(resident: CollectingChannel, chat: str) -> None:
    reply = resident.say(chat)
    assert resident.last.action == "fallback"
    assert "这个我帮不上忙" in reply or "這個我幫不上忙" in reply
    assert "1 政策咨询" in reply or "1 政策諮詢" in reply


def test_not_understood_mentions_that_voice_is_fine(resident: CollectingChannel) -> None:
    reply = resident.say("嗯嗯那个")
    assert "发语音" in reply and "1 政策咨询" in reply


@pytest.mark.parametrize(
    ("kind", "voice_text", "expected"),
    [
        (MessageKind.IMAGE, None, "收到您的图片"),
        (MessageKind.LOCATION, None, "收到您的位置"),
        (MessageKind.VOICE, "", "没听清您的语音"),
    ],
)
def test_a_picture_or_unheard_voice_mid_form_asks_the_pending_question_again(
    resident: CollectingChannel, kind: MessageKind, voice_text: str | None, expected: str
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # 同意: the community question is pending
    reply = resident.say("", kind=kind, voice_text=voice_text)
    assert expected in reply and "您住在哪个社区" in reply
    assert "我来帮您登记" not in reply  # already registering
    assert "联系电话" in resident.say("莲花北社区")
