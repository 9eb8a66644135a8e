"""Which Telegram updates reach the core, and as what: recorded Update JSON in, InboundMessage out."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from adapters.telegram_updates import TelegramTurn, command_event, to_turn
from bot.clock import shenzhen_now
from bot.messages import MessageKind
from tests.support.fake_telegram import RECORDED_USER_ID, TelegramResident, load_fixture


def translate(data: dict[str, Any]) -> TelegramTurn | None:
    return to_turn(Update.de_json(data, None), received_at=shenzhen_now())


@pytest.mark.parametrize(
    "text",
    [
        "示范点每个社区资助多少钱?",  # Simplified
        "示範點每個社區資助多少錢?",  # Traditional
        "示范点每个社区资助几多钱呀?",  # Cantonese
    ],
)
def test_a_text_message_is_the_residents_text_unchanged(text: str) -> None:
    turn = translate(TelegramResident().text(text))
    assert turn is not None
    assert turn.inbound.kind is MessageKind.TEXT
    assert turn.inbound.text == text
    assert turn.inbound.event is None
    assert turn.inbound.channel == "telegram"
    assert turn.inbound.user_id == str(RECORDED_USER_ID)
    assert turn.chat_id == RECORDED_USER_ID
    assert turn.callback_query_id is None


def test_the_message_id_is_built_on_the_update_id() -> None:
    update = TelegramResident().text("你好")
    turn = translate(update)
    assert turn is not None
    assert (
        turn.inbound.message_id
        == f"{update['update_id']}:{RECORDED_USER_ID}:{update['message']['message_id']}"
    )
    again = translate(update)
    assert again is not None and again.inbound.message_id == turn.inbound.message_id


@pytest.mark.parametrize(
    ("typed", "text", "event"),
    [
        ("/start", "", "/start"),
        ("/help", "", "/help"),
        ("/cancel", "", "/cancel"),
        ("/status", "", "/status"),
        ("/start@SzCommunityHelperBot", "", "/start"),
        ("/STATUS", "", "/status"),
        ("/start help_request", "", "/start help_request"),  # deep link t.me/...?start=help_request
        ("/start 我要求助", "我要求助", "/start"),  # not a deep-link payload: the plain command
        ("/status HR-20261123-0001", "HR-20261123-0001", "/status"),
        ("/status 編號 HR-20261123-0001", "編號 HR-20261123-0001", "/status"),
        ("/handoff", "/handoff", None),  # a public command the core reads from the text
        ("/handoff@SzCommunityHelperBot", "/handoff", None),
        ("/", "/", None),
        ("/@", "/@", None),
    ],
)
def test_bot_commands_become_events(typed: str, text: str, event: str | None) -> None:
    assert command_event(typed) == (text, event)
    turn = translate(TelegramResident().command(typed))
    assert turn is not None
    assert (turn.inbound.kind, turn.inbound.text, turn.inbound.event) == (MessageKind.TEXT, text, event)


def test_a_pressed_button_is_its_key_as_text_and_is_acknowledged() -> None:
    update = TelegramResident().press("2")
    turn = translate(update)
    assert turn is not None
    assert turn.inbound.kind is MessageKind.TEXT
    assert turn.inbound.text == "2"
    assert turn.callback_query_id == update["callback_query"]["id"]
    assert turn.chat_id == RECORDED_USER_ID
    assert turn.inbound.message_id.startswith(f"{update['update_id']}:")


def test_a_button_on_a_message_too_old_to_be_shown_still_answers_the_user() -> None:
    update = TelegramResident().press("1")
    del update["callback_query"]["message"]
    turn = translate(update)
    assert turn is not None
    assert turn.chat_id == RECORDED_USER_ID


@pytest.mark.parametrize(
    ("fixture", "kind", "transcript"),
    [
        ("photo", MessageKind.IMAGE, "[图片]"),
        ("sticker", MessageKind.IMAGE, "[表情]"),
        ("document_image", MessageKind.IMAGE, "[图片]"),
        ("location", MessageKind.LOCATION, "[位置]"),  # no coordinates in the transcript
        ("venue", MessageKind.LOCATION, "[位置] 莲花山公园"),
        ("voice", MessageKind.OTHER, "[语音]"),  # bots get no transcription from Telegram
        ("document_pdf", MessageKind.OTHER, "[文件] 租房合同.pdf"),
        ("contact", MessageKind.OTHER, "[名片]"),  # no phone number in the transcript
        ("edited_message", MessageKind.OTHER, "[修改了消息]"),
    ],
)
def test_media_without_words_gets_the_kind_the_core_answers_politely(
    fixture: str, kind: MessageKind, transcript: str
) -> None:
    turn = translate(TelegramResident().fixture(fixture))
    assert turn is not None
    assert (turn.inbound.kind, turn.inbound.text, turn.inbound.event) == (kind, transcript, None)


@pytest.mark.parametrize(
    "caption",
    ["楼道灯坏了,老人晚上看不见", "樓道燈壞了,老人晚上看不見", "樓梯燈壞咗,啲老人家夜晚睇唔到"],
)
def test_a_captioned_photo_is_answered_as_its_caption(caption: str) -> None:
    update = TelegramResident().fixture("photo_with_caption")
    update["message"]["caption"] = caption
    turn = translate(update)
    assert turn is not None
    assert (turn.inbound.kind, turn.inbound.text) == (MessageKind.TEXT, caption)


@pytest.mark.parametrize(
    "fixture",
    ["channel_post", "my_chat_member", "group_message", "inline_query", "pinned_message"],
)
def test_updates_that_are_not_a_resident_talking_in_private_are_ignored(fixture: str) -> None:
    assert translate(TelegramResident().fixture(fixture)) is None


def test_a_message_from_another_bot_is_ignored() -> None:
    update = TelegramResident().text("你好")
    update["message"]["from"]["is_bot"] = True
    assert translate(update) is None


def test_recorded_fixtures_are_readdressed_to_the_resident() -> None:
    update = TelegramResident(chat_id=600100200).fixture("text_message")
    assert update["message"]["chat"]["id"] == 600100200
    assert update["message"]["from"]["id"] == 600100200
    assert load_fixture("text_message")["message"]["chat"]["id"] == RECORDED_USER_ID
