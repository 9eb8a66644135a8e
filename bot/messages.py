"""The frozen message types that cross the boundary between adapters and the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dialogs.replies import Choice, Reply
from knowledge.types import Citation

__all__ = ["Choice", "Handler", "InboundMessage", "MessageKind", "Reply", "TurnOutcome"]


class MessageKind(StrEnum):
    TEXT = "text"
    VOICE = "voice"
    EVENT = "event"
    IMAGE = "image"
    LOCATION = "location"
    LINK = "link"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a resident, whatever the channel.

    `message_id` is the platform's id (WeChat MsgId, Telegram update id): a retry of the same id is
    answered with the same reply and changes nothing. `event` carries platform events, e.g.
    "subscribe", "menu:POLICY", or a bot command such as "/start"; `voice_text` is the platform's
    speech recognition of a voice message.
    """

    channel: str
    user_id: str
    message_id: str
    text: str
    received_at: datetime
    kind: MessageKind = MessageKind.TEXT
    event: str | None = None
    voice_text: str | None = None


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    """What the core answered, with what it understood and did (the `ask --json` contract)."""

    replies: tuple[Reply, ...]
    text: str
    intent: str
    confidence: float
    action: str
    citations: tuple[Citation, ...] = ()
    categories: tuple[str, ...] = ()
    case_refs: tuple[str, ...] = ()
    replayed: bool = field(default=False)

    @property
    def case_ref(self) -> str | None:
        return self.case_refs[0] if self.case_refs else None


Handler = Callable[[InboundMessage], TurnOutcome]
"""What an adapter is given: answer one inbound message (synchronous; adapters on an event loop run it in a thread)."""
