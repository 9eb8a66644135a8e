"""Messages to residents outside a turn (staff replies, status changes), through each channel's API.

Adapters register a sender per channel at start-up; the core never imports an adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dialogs.replies import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    status: str  # delivered | failed | not_delivered
    detail: str = ""


class ChannelSender(Protocol):
    async def send(self, user_id: str, replies: Sequence[Reply]) -> Delivery: ...


class Outbox:
    """Routes an outgoing message to the sender of the resident's channel."""

    def __init__(self) -> None:
        self._senders: dict[str, ChannelSender] = {}

    def register(self, channel: str, sender: ChannelSender) -> None:
        self._senders[channel] = sender

    def channels(self) -> tuple[str, ...]:
        return tuple(self._senders)

    async def send(self, channel: str, user_id: str, replies: Sequence[Reply]) -> Delivery:
        sender = self._senders.get(channel)
        if sender is None:
            return Delivery(
                "not_delivered", f"channel {channel!r} cannot send messages outside a conversation"
            )
        try:
            return await sender.send(user_id, replies)
        except Exception as exc:  # a platform failure must be recorded, never lose the staff reply
            log.exception("delivery on %s failed", channel)
            return Delivery("failed", f"{type(exc).__name__}: {exc}"[:500])
