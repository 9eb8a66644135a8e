"""A channel that collects replies in a list: the test adapter, and the model for every other one."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import shenzhen_now
from bot.messages import Handler, InboundMessage, MessageKind, TurnOutcome

_ids = itertools.count(1)


@dataclass
class CollectingChannel:
    """Plays one resident through the real pipeline, synchronously; no threads, no sleeps."""

    handle: Handler
    user_id: str = "resident-1"
    channel: str = "test"
    outcomes: list[TurnOutcome] = field(default_factory=list)

    def say(
        self,
        text: str,
        *,
        message_id: str | None = None,
        kind: MessageKind = MessageKind.TEXT,
        event: str | None = None,
        voice_text: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """Send one message; return every reply of the turn as one text (numbered choices included)."""
        outcome = self.send(text, message_id=message_id, kind=kind, event=event, voice_text=voice_text, at=at)
        return "\n".join(r.as_text() for r in outcome.replies)

    def send(
        self,
        text: str,
        *,
        message_id: str | None = None,
        kind: MessageKind = MessageKind.TEXT,
        event: str | None = None,
        voice_text: str | None = None,
        at: datetime | None = None,
    ) -> TurnOutcome:
        message = InboundMessage(
            channel=self.channel,
            user_id=self.user_id,
            message_id=message_id or f"{self.channel}-{next(_ids)}",
            text=text,
            received_at=at or shenzhen_now(),
            kind=kind,
            event=event,
            voice_text=voice_text,
        )
        outcome = self.handle(message)
        self.outcomes.append(outcome)
        return outcome

    @property
    def last(self) -> TurnOutcome:
        return self.outcomes[-1]
