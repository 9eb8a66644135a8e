"""When a WeChat user last wrote to the account (any inbound message or menu event), from the transcript.

Customer-service messages are allowed within 48 hours of that moment. The entry point wires this
into WeChatChannel as `last_seen=last_inbound_lookup(assistant.sessions)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import local
from bot.models import MessageLog


def last_inbound_lookup(
    sessions: sessionmaker[Session], *, channel: str = "wechat"
) -> Callable[[str], datetime | None]:
    def last_seen(user_id: str) -> datetime | None:
        # Newest row by id along the (channel, user_id, id) index, rather than max() over all rows.
        query = (
            select(MessageLog.created_at)
            .where(MessageLog.channel == channel, MessageLog.user_id == user_id, MessageLog.direction == "in")
            .order_by(MessageLog.id.desc())
            .limit(1)
        )
        with sessions() as session:
            value = session.scalar(query)
        return local(value) if value is not None else None

    return last_seen
