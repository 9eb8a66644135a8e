"""Polling for development: getUpdates in a loop instead of a public HTTPS webhook.

Updates are processed one at a time, in order, so a resident's answers reach their form in the
order they were typed. The offset moves past an update before it is processed: an update whose
turn fails is logged and skipped rather than fetched (and failing) forever.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram_bot import BotHolder
from adapters.telegram_turns import TelegramConversation
from adapters.telegram_updates import ALLOWED_UPDATES

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
MAX_BACKOFF_SECONDS = 30.0


def backoff_seconds(failures: int) -> float:
    """1, 2, 4, ... seconds after consecutive failures, at most MAX_BACKOFF_SECONDS."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, failures - 1))


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks us to wait (int or timedelta, depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        # Reading the value as int is deprecated in v22.2 in favour of timedelta; either is fine here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Poller:
    def __init__(
        self, bots: BotHolder, conversation: TelegramConversation, *, timeout: int = LONG_POLL_SECONDS
    ) -> None:
        self._bots = bots
        self._conversation = conversation
        self._timeout = timeout
        self._offset: int | None = None

    async def poll_once(self, *, timeout: int | None = None) -> int:
        """Fetch one batch of updates (waiting up to `timeout` s for the first), process it; return its size."""
        bot = await self._bots.get()
        updates = await bot.get_updates(
            offset=self._offset,
            timeout=self._timeout if timeout is None else timeout,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        for update in updates:
            self._offset = update.update_id + 1
            try:
                await self._conversation.process(update)
            except Exception:  # one bad update must not stop the bot; the next getUpdates confirms it
                log.exception("Telegram update %s could not be processed", update.update_id)
        return len(updates)

    async def run(self) -> None:
        """Poll until cancelled. Network errors and conflicts back off; an invalid token stops the loop."""
        failures = 0
        while True:
            try:
                await self.poll_once()
                failures = 0
            except InvalidToken:
                log.error("TELEGRAM_TOKEN was refused by Telegram; polling stopped")
                raise
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
            except TimedOut:
                continue  # the long poll ended without an answer: ask again
            except Conflict as exc:
                # Deliberately not deleteWebhook: polling with the production bot's token would
                # silently take its updates away from the production server.
                failures += 1
                wait = backoff_seconds(failures)
                log.error(
                    "Telegram refused getUpdates (%s): a webhook is set for this bot "
                    "(scripts/telegram_webhook.py delete) or another process polls it; retrying in %.0f s",
                    exc,
                    wait,
                )
                await asyncio.sleep(wait)
            except NetworkError as exc:
                failures += 1
                wait = backoff_seconds(failures)
                log.warning("Telegram polling failed (%s); retrying in %.0f s", exc, wait)
                await asyncio.sleep(wait)
