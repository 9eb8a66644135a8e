"""WeChat XML -> InboundMessage: message types, menu events and the de-duplication key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from adapters.wechat_xml import read_xml, text_field
from bot.errors import PayloadInvalid
from bot.messages import InboundMessage, MessageKind

# Keys of the custom menu's CLICK buttons (scripts/wechat_menu.py publishes them); the core maps
# f"menu:{key}" to a command.
MENU_KEYS: tuple[str, ...] = ("POLICY", "HELP", "VOLUNTEER", "STATUS", "GUIDE", "HUMAN")

# Events a resident causes that deserve an answer; every other event (unsubscribe, VIEW link
# clicks, automatic location reports, template/mass-send receipts) is acknowledged with "success".
GREETING_EVENTS: frozenset[str] = frozenset({"subscribe", "subscribe_scan", "subscribe_scan_product", "scan"})

# Non-text messages: the kind the core answers, and what the transcript shows staff.
MEDIA: dict[str, tuple[MessageKind, str]] = {
    "image": (MessageKind.IMAGE, "[图片]"),
    "location": (MessageKind.LOCATION, "[位置]"),
    "link": (MessageKind.LINK, "[链接]"),
    "video": (MessageKind.OTHER, "[视频]"),
    "shortvideo": (MessageKind.OTHER, "[小视频]"),
    "file": (MessageKind.OTHER, "[文件]"),
    "music": (MessageKind.OTHER, "[音乐]"),
    "miniprogrampage": (MessageKind.OTHER, "[小程序]"),
}
UNKNOWN_MEDIA = (MessageKind.OTHER, "[其他消息]")

MAX_ID_CHARS = 128  # the width of messages.platform_msg_id and of user ids in the database


@dataclass(frozen=True, slots=True)
class Received:
    """A parsed callback: the wechatpy message (for addressing the reply) and what the core is asked.

    `inbound` is None for events that need no answer.
    """

    message: BaseMessage
    inbound: InboundMessage | None


def receive(xml: str, *, channel: str, now: datetime) -> Received:
    fields = read_xml(xml)
    msg_type = text_field(fields, "MsgType").lower()
    user_id = text_field(fields, "FromUserName")
    if not msg_type or not user_id or not text_field(fields, "ToUserName"):
        raise PayloadInvalid("MsgType, FromUserName and ToUserName are required")
    if len(user_id) > MAX_ID_CHARS:
        raise PayloadInvalid("FromUserName is too long")
    for name in ("CreateTime", "MsgId", "MsgID"):
        value = text_field(fields, name)
        if value and not value.isdigit():
            raise PayloadInvalid(f"{name} is not a number")
    try:
        message = parse_message(xml)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PayloadInvalid(f"cannot read the message: {type(exc).__name__}") from exc
    if msg_type == "event":
        return Received(message, _event(fields, channel=channel, user_id=user_id, now=now))
    return Received(message, _message(fields, msg_type, channel=channel, user_id=user_id, now=now))


def _message(
    fields: dict[str, Any], msg_type: str, *, channel: str, user_id: str, now: datetime
) -> InboundMessage:
    voice_text: str | None = None
    if msg_type == "text":
        kind, text = MessageKind.TEXT, text_field(fields, "Content")
    elif msg_type == "voice":
        # Recognition is WeChat's speech-to-text; empty when it could not make anything out (or
        # when speech recognition is switched off for the account), which the core answers kindly.
        kind, text = MessageKind.VOICE, "[语音]"
        voice_text = text_field(fields, "Recognition").strip()
    else:
        kind, label = MEDIA.get(msg_type, UNKNOWN_MEDIA)
        details = (text_field(fields, name) for name in ("Label", "Title", "Url"))
        text = " ".join([label, *(detail for detail in details if detail)])
    return InboundMessage(
        channel=channel,
        user_id=user_id,
        message_id=_message_id(fields, msg_type),
        text=text,
        received_at=now,
        kind=kind,
        voice_text=voice_text,
    )


def _event(fields: dict[str, Any], *, channel: str, user_id: str, now: datetime) -> InboundMessage | None:
    event = text_field(fields, "Event").lower()
    key = text_field(fields, "EventKey")
    if event in GREETING_EVENTS:
        name = "subscribe"
    elif event == "click" and key:
        name = f"menu:{key}"
    else:
        return None
    return InboundMessage(
        channel=channel,
        user_id=user_id,
        message_id=_bounded(f"{user_id}:{text_field(fields, 'CreateTime')}:{event}:{key}"),
        text="",
        received_at=now,
        kind=MessageKind.EVENT,
        event=name,
    )


def _message_id(fields: dict[str, Any], msg_type: str) -> str:
    msg_id = text_field(fields, "MsgId") or text_field(fields, "MsgID")
    if msg_id:
        return _bounded(msg_id)
    # Every user message should carry MsgId; without one, sender and second still identify a retry.
    user_id = text_field(fields, "FromUserName")
    return _bounded(f"{user_id}:{text_field(fields, 'CreateTime')}:{msg_type}")


def _bounded(key: str) -> str:
    if len(key) <= MAX_ID_CHARS:
        return key
    return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()
