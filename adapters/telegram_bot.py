"""The python-telegram-bot `Bot`, initialised once per event loop.

An httpx connection pool belongs to the event loop that opened it. A server has one loop for its
lifetime, but a staff command (`asyncio.run`) or a test client may each bring their own, so the
holder keeps one initialised Bot for the loop it is asked from and starts a new one when the loop
changes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl

import httpx
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram_logging import redact_token_in_logs
from bot.settings import TelegramSettings

log = logging.getLogger(__name__)

# python-telegram-bot's default is one connection; webhook updates arrive in parallel.
DEFAULT_POOL_SIZE = 8


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verification, built once: loading the CA bundle costs ~50 ms per client."""
    return httpx.create_ssl_context()


def new_bot(settings: TelegramSettings, *, pool_size: int = DEFAULT_POOL_SIZE) -> Bot:
    """An uninitialised Bot on `settings.api_base` ("https://api.telegram.org/bot"; the token is appended)."""
    redact_token_in_logs(settings.token)
    tls = {"verify": _tls_context()}
    return Bot(
        settings.token,
        base_url=settings.api_base,
        request=HTTPXRequest(connection_pool_size=pool_size, httpx_kwargs=tls),
        get_updates_request=HTTPXRequest(httpx_kwargs=tls),
    )


class BotHolder:
    def __init__(self, settings: TelegramSettings, *, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self._settings = settings
        self._pool_size = pool_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting: asyncio.Task[Bot] | None = None

    async def get(self) -> Bot:
        """The initialised Bot of the running loop (getMe is called once per loop)."""
        loop = asyncio.get_running_loop()
        starting = self._starting if self._loop is loop else None
        if starting is None or (starting.done() and (starting.cancelled() or starting.exception())):
            # First use on this loop, or the last start failed (network, token): try again.
            self._loop = loop
            starting = self._starting = loop.create_task(self._start(), name="telegram-bot-initialize")
        # Shielded: a webhook request that is cancelled must not cancel the start other requests await.
        return await asyncio.shield(starting)

    async def _start(self) -> Bot:
        bot = new_bot(self._settings, pool_size=self._pool_size)
        await bot.initialize()
        log.info("Telegram bot @%s ready", bot.username)
        return bot

    async def aclose(self) -> None:
        """Shut down the Bot of the running loop, if any (a Bot of another loop is simply dropped)."""
        starting, loop = self._starting, self._loop
        self._starting, self._loop = None, None
        if starting is None or loop is not asyncio.get_running_loop():
            return
        if not starting.done():
            starting.cancel()  # still calling getMe: nothing to shut down yet
            return
        if starting.cancelled() or starting.exception() is not None:
            return
        await starting.result().shutdown()
