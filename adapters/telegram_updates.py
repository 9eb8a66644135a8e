"""Telegram updates -> the core's InboundMessage: which updates are a resident talking, and what kind.

Text and button presses are text; media with a caption is answered as the caption's text; media
without one gets the core's polite "please tell me in words" through its MessageKind. Only private
chats are answered: the forms collect names and phone numbers, which must not be asked for (or
echoed) in a group. Updates nobody is waiting an answer for (channel posts, membership changes,
inline queries, polls) translate to None and are acknowledged without a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import CallbackQuery, Chat, Message, Update

from bot.messages import InboundMessage, MessageKind

CHANNEL = "telegram"

# The update types the channel acts on; requested in setWebhook/getUpdates so Telegram sends no others.
ALLOWED_UPDATES: tuple[str, ...] = ("message", "edited_message", "callback_query")

# Bot commands the core knows as events; other "/..." texts go to the core as typed text.
COMMAND_EVENTS = frozenset({"/start", "/help", "/cancel", "/status"})

# Media as the core answers it, and the line the transcript shows (as the WeChat channel writes it).
# Ordered: a venue also carries a location, an animation also carries a document.
MEDIA: tuple[tuple[str, MessageKind, str], ...] = (
    ("venue", MessageKind.LOCATION, "[位置]"),
    ("location", MessageKind.LOCATION, "[位置]"),
    ("photo", MessageKind.IMAGE, "[图片]"),
    ("sticker", MessageKind.IMAGE, "[表情]"),
    ("animation", MessageKind.IMAGE, "[动图]"),
    # Telegram gives bots no speech recognition: a voice message cannot be understood.
    ("voice", MessageKind.OTHER, "[语音]"),
    ("video_note", MessageKind.OTHER, "[视频]"),
    ("video", MessageKind.OTHER, "[视频]"),
    ("audio", MessageKind.OTHER, "[音频]"),
    ("document", MessageKind.OTHER, "[文件]"),
    ("contact", MessageKind.OTHER, "[名片]"),
)
IMAGE_LABEL = "[图片]"
OTHER_LABEL = "[其他消息]"
EDITED_LABEL = "[修改了消息]"
_NAME_MAX = 80

# Deep-link payloads (t.me/<bot>?start=help_request) are limited by Telegram to these characters.
_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class TelegramTurn:
    """One update worth answering: what the core is given, and where the answer goes."""

    inbound: InboundMessage
    chat_id: int
    callback_query_id: str | None = None


def to_turn(update: Update, *, received_at: datetime) -> TelegramTurn | None:
    """Translate one update, or None when it is not a resident talking to the bot in private."""
    if update.callback_query is not None:
        return _from_callback(update.update_id, update.callback_query, received_at)
    if update.message is not None:
        return _from_message(update.update_id, update.message, received_at, edited=False)
    if update.edited_message is not None:
        return _from_message(update.update_id, update.edited_message, received_at, edited=True)
    return None


def _from_message(
    update_id: int, message: Message, received_at: datetime, *, edited: bool
) -> TelegramTurn | None:
    if message.chat.type != Chat.PRIVATE or message.from_user is None or message.from_user.is_bot:
        return None
    if edited:
        # Re-running an edited answer would fill a form twice; the resident is asked to send it anew.
        kind, text, event = MessageKind.OTHER, EDITED_LABEL, None
    else:
        found = _content(message)
        if found is None:
            return None  # a service message (pinned message, payment notice...): nothing was said
        kind, text, event = found
    chat_id = message.chat.id
    return TelegramTurn(
        inbound=InboundMessage(
            channel=CHANNEL,
            user_id=str(chat_id),
            # update_id is what Telegram repeats on a retry; the message id guards against the random
            # restart of update ids after a week without updates.
            message_id=f"{update_id}:{chat_id}:{message.message_id}",
            text=text,
            received_at=received_at,
            kind=kind,
            event=event,
        ),
        chat_id=chat_id,
    )


def _content(message: Message) -> tuple[MessageKind, str, str | None] | None:
    if message.text is not None:
        text, event = command_event(message.text)
        return MessageKind.TEXT, text, event
    caption = (message.caption or "").strip()
    if caption:
        # A photo captioned "楼道灯坏了" says what the resident needs: answer the words, not the picture.
        return MessageKind.TEXT, caption, None
    for attribute, kind, label in MEDIA:
        if getattr(message, attribute, None):
            return _media(message, attribute, kind, label)
    if message.effective_attachment is not None:
        return MessageKind.OTHER, OTHER_LABEL, None
    return None


def _media(message: Message, attribute: str, kind: MessageKind, label: str) -> tuple[MessageKind, str, None]:
    """The kind and transcript line of a media message; no file ids, coordinates or phone numbers."""
    if attribute == "venue" and message.venue is not None:
        return kind, f"{label} {message.venue.title}"[:_NAME_MAX], None
    if attribute == "document" and message.document is not None:
        if (message.document.mime_type or "").startswith("image/"):
            return MessageKind.IMAGE, IMAGE_LABEL, None
        name = message.document.file_name or ""
        return kind, f"{label} {name}".strip()[:_NAME_MAX], None
    return kind, label, None


def command_event(text: str) -> tuple[str, str | None]:
    """Split a typed bot command into (text for the core, event).

    A command the core takes as an event leaves only its argument as text: the words "/help" would
    otherwise reach the intent model as a question. The text stays empty without an argument, never
    a marker such as "[/help]": the intent model reads the text, and took that one for a crisis.
    "/start@SzCommunityHelperBot" -> ("", "/start"); "/status HR-20261123-0001" ->
    ("HR-20261123-0001", "/status"); a deep link t.me/<bot>?start=help_request arrives as
    "/start help_request" -> ("", "/start help_request"). Other commands ("/handoff") stay text the
    core may still recognise, without the "@bot" suffix.
    """
    if not text.startswith("/"):
        return text, None
    head, _, rest = text.partition(" ")
    name = head.split("@", 1)[0].lower()
    rest = rest.strip()
    if name not in COMMAND_EVENTS:
        return (f"{name} {rest}" if rest else name) if len(name) > 1 else text, None
    if name == "/start" and _START_PAYLOAD.match(rest):
        return "", f"{name} {rest}"
    return rest, name


def _from_callback(update_id: int, query: CallbackQuery, received_at: datetime) -> TelegramTurn | None:
    if query.data is None or query.from_user.is_bot:
        return None  # game buttons carry no data; we only send data buttons
    message = query.message
    if message is not None and message.chat.type != Chat.PRIVATE:
        return None
    chat_id = message.chat.id if message is not None else query.from_user.id
    return TelegramTurn(
        inbound=InboundMessage(
            channel=CHANNEL,
            user_id=str(chat_id),
            message_id=f"{update_id}:{chat_id}:cb{query.id}",
            # A pressed button is the choice key, answered as if the resident had typed the digit.
            text=query.data,
            received_at=received_at,
        ),
        chat_id=chat_id,
        callback_query_id=query.id,
    )
