"""The Telegram channel: what the entry point wires (`name`, `sender()`, `router()`, `run_polling()`).

Webhook mode serves `POST /telegram/webhook` (see adapters/telegram_webhook.py). Polling mode
serves no route: the router's lifespan runs getUpdates in the server's event loop, so
`python -m bot serve` works unchanged; `run_polling()` (`python -m bot telegram-poll`) does the same
without an HTTP server.
The pieces: telegram_updates (Update -> InboundMessage), telegram_render (Reply -> messages),
telegram_sender (sendMessage and its errors), telegram_turns (one update through the core),
telegram_polling, telegram_bot (the python-telegram-bot Bot per event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from telegram.error import InvalidToken

from adapters.telegram_bot import DEFAULT_POOL_SIZE, BotHolder
from adapters.telegram_polling import LONG_POLL_SECONDS, Poller
from adapters.telegram_sender import TelegramSender
from adapters.telegram_turns import TelegramConversation
from adapters.telegram_updates import CHANNEL
from adapters.telegram_webhook import webhook_router
from bot.clock import Clock, shenzhen_now
from bot.errors import ConfigError
from bot.messages import Handler
from bot.settings import TelegramSettings

log = logging.getLogger(__name__)

# Telegram accepts 1-256 characters from this set as a webhook secret token.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_MAX_BODY = 64 * 1024


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        settings: TelegramSettings,
        handle: Handler,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        clock: Clock = shenzhen_now,
        polling_timeout: int = LONG_POLL_SECONDS,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        if not settings.token:
            raise ConfigError("TELEGRAM_TOKEN is required for the Telegram channel")
        if settings.mode not in ("webhook", "polling"):
            raise ConfigError(f"TELEGRAM_MODE must be webhook or polling, not {settings.mode!r}")
        if settings.mode == "webhook" and not _SECRET_TOKEN.match(settings.secret_token):
            raise ConfigError(
                "TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and - in webhook mode"
            )
        self._settings = settings
        self._max_body = max_body
        self._bots = BotHolder(settings, pool_size=pool_size)
        self._conversation = TelegramConversation(handle, self._bots, clock=clock)
        self._poller = Poller(self._bots, self._conversation, timeout=polling_timeout)

    @property
    def poller(self) -> Poller:
        return self._poller

    def sender(self) -> TelegramSender:
        return TelegramSender(self._bots)

    def router(self) -> APIRouter:
        """Webhook mode: the webhook route. Polling mode: no route, polling for the app's lifetime."""
        if self._settings.mode == "polling":
            return APIRouter(lifespan=self._polling_lifespan)
        return webhook_router(
            self._conversation,
            secret_token=self._settings.secret_token,
            max_body=self._max_body,
            lifespan=self._webhook_lifespan,
        )

    def run_polling(self) -> None:
        """Poll Telegram until interrupted (Ctrl-C), without an HTTP server. Blocks.

        Raises ConfigError when Telegram refuses the token: polling could never succeed.
        """
        with contextlib.suppress(KeyboardInterrupt):
            try:
                asyncio.run(self.poll_forever())
            except InvalidToken as exc:
                raise ConfigError(f"TELEGRAM_TOKEN was refused by Telegram ({exc})") from exc

    async def poll_forever(self) -> None:
        try:
            await self._poller.run()
        finally:
            await self._bots.aclose()

    async def aclose(self) -> None:
        """Close the Bot API connections of the running event loop."""
        await self._bots.aclose()

    @contextlib.asynccontextmanager
    async def _webhook_lifespan(self, app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self._bots.aclose()

    @contextlib.asynccontextmanager
    async def _polling_lifespan(self, app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(self._poller.run(), name="telegram-polling")
        task.add_done_callback(_report_stop)
        log.info("Telegram polling started")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await self._bots.aclose()


def _report_stop(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Telegram polling stopped: %s", task.exception())
