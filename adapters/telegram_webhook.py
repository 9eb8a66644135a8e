"""`POST /telegram/webhook`: authenticate, bound, parse, answer, acknowledge; send the replies after.

Telegram re-sends an update until it gets a 2xx, so the response is only given once the turn is
stored (a failure answers 500 and the retry is safe: the core replays a repeated update id). The
replies are sent after the response has gone out, so a slow Bot API never delays the
acknowledgement.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from telegram import Update

from adapters.telegram_turns import TelegramConversation

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_router(
    conversation: TelegramConversation,
    *,
    secret_token: str,
    max_body: int,
    lifespan: Callable[[Any], AbstractAsyncContextManager[None]] | None = None,
) -> APIRouter:
    expected = secret_token.encode("utf-8")
    router = APIRouter(lifespan=lifespan)

    @router.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
        if not authentic(request.headers.get(SECRET_HEADER), expected):
            return _error(403, "forbidden")
        body = await read_limited(request, max_body)
        if body is None:
            return _error(413, "payload too large")
        update = parse_update(body)
        if update is None:
            return _error(400, "not a Telegram update")
        turn = conversation.translate(update)
        if turn is None:
            return JSONResponse({"ok": True})
        outcome = await conversation.answer(turn)
        background.add_task(conversation.deliver, turn, outcome)
        return JSONResponse({"ok": True})

    return router


def authentic(given: str | None, expected: bytes) -> bool:
    """Constant-time check of the secret token; an empty expected token authenticates nobody."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected)


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None past `limit` bytes; read in chunks so a lying Content-Length cannot bypass it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def parse_update(body: bytes) -> Update | None:
    """An Update from a webhook body, or None when the body is not one."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        return Update.de_json(data, None)
    except Exception:  # python-telegram-bot raises TypeError/KeyError/AttributeError on odd shapes
        log.info("webhook body with update_id %s is not a valid Update", update_id)
        return None


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": reason}, status_code=status)
