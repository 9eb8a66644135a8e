"""Web chat: a page at `/` and a JSON endpoint it posts to. For trying the assistant in a browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, StringConstraints

from bot.clock import shenzhen_now
from bot.messages import Handler, InboundMessage

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


_EVENTS = re.compile(r"^/(start|help|status|cancel)$")


def webchat_router(handle: Handler) -> APIRouter:
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

    return router
