"""Conversation state and the message log, stored in the database so any worker continues any conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Conversation, MessageLog
from bot.pii import PiiCipher
from dialogs.state import ConversationState
from nlu.types import Script


def load_conversation(
    session: Session, *, cipher: PiiCipher, channel: str, user_id: str, now: datetime
) -> tuple[Conversation, ConversationState]:
    """The conversation row, locked for this turn (PostgreSQL row lock), and its decrypted state."""
    row = session.execute(
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = Conversation(channel=channel, user_id=user_id, state_enc="", created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        return row, ConversationState()
    return row, ConversationState.from_json(cipher.decrypt(row.state_enc))


def save_conversation(
    session: Session, *, cipher: PiiCipher, row: Conversation, state: ConversationState, now: datetime
) -> None:
    row.state_enc = cipher.encrypt(state.to_json())
    row.script = state.script.value
    row.updated_at = now
    session.flush()


def script_of(session: Session, *, channel: str, user_id: str) -> Script:
    """The script the user last wrote in, so messages sent outside a turn read like the turn's replies."""
    value = session.execute(
        select(Conversation.script).where(Conversation.channel == channel, Conversation.user_id == user_id)
    ).scalar_one_or_none()
    try:
        return Script(value) if value else Script.SIMPLIFIED
    except ValueError:
        return Script.SIMPLIFIED


def log_message(
    session: Session,
    *,
    cipher: PiiCipher,
    channel: str,
    user_id: str,
    direction: str,
    text: str,
    now: datetime,
    platform_msg_id: str | None = None,
    intent: str | None = None,
    action: str | None = None,
) -> MessageLog:
    row = MessageLog(
        channel=channel,
        user_id=user_id,
        direction=direction,
        platform_msg_id=platform_msg_id,
        text_enc=cipher.encrypt(text),
        intent=intent,
        action=action,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def find_inbound(session: Session, *, channel: str, platform_msg_id: str) -> MessageLog | None:
    return session.execute(
        select(MessageLog).where(MessageLog.channel == channel, MessageLog.platform_msg_id == platform_msg_id)
    ).scalar_one_or_none()


def transcript(session: Session, *, cipher: PiiCipher, channel: str, user_id: str, limit: int = 40) -> str:
    """The last messages of a conversation as text, oldest first, for a case staff will read."""
    rows = list(
        session.execute(
            select(MessageLog)
            .where(MessageLog.channel == channel, MessageLog.user_id == user_id)
            .order_by(MessageLog.id.desc())
            .limit(limit)
        ).scalars()
    )
    lines = []
    for row in reversed(rows):
        who = "居民" if row.direction == "in" else "助手"
        lines.append(f"[{row.created_at:%m-%d %H:%M}] {who}:{cipher.decrypt(row.text_enc)}")
    return "\n".join(lines)
