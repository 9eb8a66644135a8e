"""Web chat: a page at `/` and a JSON endpoint it posts to. For trying the assistant in a browser.

Messages outside a turn (a staff reply, a status change) wait in the outbound_messages table as
"pending" until the resident's page polls `/api/webchat/updates`, which marks them delivered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, shenzhen_now
from bot.messages import Handler, InboundMessage, Reply
from bot.models import OutboundMessage
from bot.outbound import Delivery

PAGE = Path(__file__).resolve().parent / "static" / "webchat.html"
CHANNEL = "web"

UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class WebChatMessage(BaseModel):
    user_id: UserId
    text: str = Field(default="", max_length=100_000)
    message_id: Annotated[str, StringConstraints(max_length=64)] = ""
    event: Annotated[str, StringConstraints(max_length=40)] = ""


class WebChoice(BaseModel):
    key: str
    label: str


class WebReply(BaseModel):
    text: str
    choices: list[WebChoice]


class WebChatAnswer(BaseModel):
    replies: list[WebReply]


class WebChatPoll(BaseModel):
    user_id: UserId
    after: int = Field(default=0, ge=0)


class WebChatUpdate(BaseModel):
    id: int
    text: str


class WebChatUpdates(BaseModel):
    messages: list[WebChatUpdate]
    last: int


_EVENTS = re.compile(r"^/(start|help|status|cancel)$")
PENDING_DETAIL = "等待居民打开网页聊天"
MAX_UPDATES = 20


class WebChatMailbox:
    """The web chat's sender for messages outside a turn: the page fetches them when it polls."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock = shenzhen_now) -> None:
        self._sessions = sessions
        self._clock = clock

    async def send(self, user_id: str, replies: Sequence[Reply]) -> Delivery:
        # The caller (StaffDesk) stores the message; the resident's page picks it up from there.
        return Delivery("pending", PENDING_DETAIL)

    def fetch(self, user_id: str, *, after: int) -> WebChatUpdates:
        """Messages for `user_id` newer than `after`, marked delivered now that the page has them."""
        with self._sessions.begin() as session:
            rows = session.execute(
                select(OutboundMessage.id, OutboundMessage.text)
                .where(
                    OutboundMessage.channel == CHANNEL,
                    OutboundMessage.user_id == user_id,
                    OutboundMessage.status.in_(("pending", "delivered")),
                    OutboundMessage.id > after,
                )
                .order_by(OutboundMessage.id)
                .limit(MAX_UPDATES)
            ).all()
            ids = [row.id for row in rows]
            if ids:
                session.execute(
                    update(OutboundMessage)
                    .where(OutboundMessage.id.in_(ids), OutboundMessage.status == "pending")
                    .values(status="delivered", detail=f"网页聊天已显示 {self._clock():%Y-%m-%d %H:%M}")
                )
        return WebChatUpdates(
            messages=[WebChatUpdate(id=row.id, text=row.text) for row in rows], last=max(ids, default=after)
        )


def webchat_router(handle: Handler, *, mailbox: WebChatMailbox | None = None) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE.read_text(encoding="utf-8")

    @router.post("/api/webchat/messages")
    async def post_message(body: WebChatMessage) -> WebChatAnswer:
        if body.event and not _EVENTS.match(body.event):
            raise HTTPException(status_code=422, detail="unknown event")
        message = InboundMessage(
            channel=CHANNEL,
            user_id=body.user_id,
            message_id=f"{body.user_id}:{body.message_id}" if body.message_id else "",
            text=body.text,
            received_at=shenzhen_now(),
            event=body.event or None,
        )
        outcome = await run_in_threadpool(handle, message)
        return WebChatAnswer(
            replies=[
                WebReply(text=r.text, choices=[WebChoice(key=c.key, label=c.label) for c in r.choices])
                for r in outcome.replies
            ]
        )

    if mailbox is not None:

        @router.post("/api/webchat/updates")
        async def poll_updates(body: WebChatPoll) -> WebChatUpdates:
            return await run_in_threadpool(mailbox.fetch, body.user_id, after=body.after)

    return router
