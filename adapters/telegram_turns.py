"""One update through the core and back: shared by the webhook and polling.

Two steps, so the webhook can acknowledge between them: `answer` runs the turn (stored in the
database before it returns, so a retried update is replayed rather than run twice), `deliver`
talks to Telegram (answerCallbackQuery, then sendMessage for each reply).
"""

from __future__ import annotations

import logging

from fastapi.concurrency import run_in_threadpool
from telegram import Update
from telegram.error import TelegramError

from adapters.telegram_bot import BotHolder
from adapters.telegram_sender import deliver
from adapters.telegram_updates import TelegramTurn, to_turn
from bot.clock import Clock, shenzhen_now
from bot.messages import Handler, TurnOutcome
from bot.outbound import Delivery

log = logging.getLogger(__name__)


class TelegramConversation:
    def __init__(self, handle: Handler, bots: BotHolder, *, clock: Clock = shenzhen_now) -> None:
        self._handle = handle
        self._bots = bots
        self._clock = clock

    def translate(self, update: Update) -> TelegramTurn | None:
        return to_turn(update, received_at=self._clock())

    async def answer(self, turn: TelegramTurn) -> TurnOutcome:
        """Run the (synchronous, database-bound) turn in a worker thread, off the event loop."""
        return await run_in_threadpool(self._handle, turn.inbound)

    async def deliver(self, turn: TelegramTurn, outcome: TurnOutcome) -> Delivery:
        """Send the turn's replies; a replayed turn was answered the first time and sends nothing."""
        if outcome.replayed:
            return Delivery("not_delivered", "replayed update: already answered")
        try:
            bot = await self._bots.get()
        except Exception as exc:  # the turn is stored; failing to reach Telegram is logged, not raised
            log.warning("Telegram bot could not start, replies not sent: %s", exc)
            return Delivery("failed", f"{type(exc).__name__}: {exc}"[:500])
        if turn.callback_query_id is not None:
            try:
                # Stops the button's loading spinner; the answer itself follows as a message.
                await bot.answer_callback_query(turn.callback_query_id)
            except TelegramError as exc:  # e.g. "query is too old": the replies still go out
                log.info("answerCallbackQuery failed: %s", exc)
        delivery = await deliver(bot, turn.chat_id, outcome.replies)
        if delivery.status != "delivered":
            log.warning("Telegram replies %s: %s", delivery.status, delivery.detail)
        return delivery

    async def process(self, update: Update) -> Delivery | None:
        """Translate, answer and deliver one update (polling); None when it needs no answer."""
        turn = self.translate(update)
        if turn is None:
            return None
        outcome = await self.answer(turn)
        return await self.deliver(turn, outcome)
