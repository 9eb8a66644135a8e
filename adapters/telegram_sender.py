"""Delivering replies with sendMessage, for a turn and for staff replies outside a turn.

Platform errors never escape: they become a `Delivery` the core records. A resident who blocked the
bot or deleted the chat (403 Forbidden, 400 chat not found) cannot be reached on this channel at
all: "not_delivered". Rate limits (429 RetryAfter) and network trouble may pass: "failed".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.telegram_bot import BotHolder
from adapters.telegram_render import keyboard, render
from bot.outbound import Delivery
from dialogs.replies import Reply

log = logging.getLogger(__name__)

_DETAIL_MAX = 500


async def deliver(bot: Bot, chat_id: int, replies: Sequence[Reply]) -> Delivery:
    """Send every reply in order; stop at the first refusal (later parts would read out of context)."""
    messages = [message for reply in replies for message in render(reply)]
    sent = 0
    try:
        for message in messages:
            await bot.send_message(chat_id=chat_id, text=message.text, reply_markup=keyboard(message.buttons))
            sent += 1
    except (Forbidden, BadRequest) as exc:
        return Delivery("not_delivered", _detail(exc, sent, len(messages)))
    except TelegramError as exc:
        return Delivery("failed", _detail(exc, sent, len(messages)))
    except Exception as exc:  # an unexpected library failure is recorded like any other, never raised
        log.exception("sendMessage to a Telegram chat failed")
        return Delivery("failed", _detail(exc, sent, len(messages)))
    return Delivery("delivered")


def _detail(exc: BaseException, sent: int, total: int) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    if sent:
        parts.append(f"{sent} of {total} messages sent")
    return "; ".join(parts)[:_DETAIL_MAX]


class TelegramSender:
    """The ChannelSender of the Telegram channel: `user_id` is the private chat id, as a string."""

    def __init__(self, bots: BotHolder) -> None:
        self._bots = bots

    async def send(self, user_id: str, replies: Sequence[Reply]) -> Delivery:
        try:
            chat_id = int(user_id)
        except ValueError:
            return Delivery("not_delivered", f"not a Telegram chat id: {user_id[:40]!r}")
        try:
            bot = await self._bots.get()
        except TelegramError as exc:  # getMe refused (bad token) or Telegram unreachable
            return Delivery("failed", _detail(exc, 0, 0))
        except Exception as exc:
            log.exception("starting the Telegram bot failed")
            return Delivery("failed", _detail(exc, 0, 0))
        return await deliver(bot, chat_id, replies)
