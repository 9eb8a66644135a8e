"""Messages to a resident outside a turn: customer-service messages, or a template message after 48 h.

WeChat lets an account send customer-service messages only within 48 hours of the user's last
message (and at most a few per message). Outside that window a template message is the only way
to reach the resident, when one is configured; otherwise the message is recorded as not delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from adapters.wechat_api import WeChatApi, WeChatApiError
from adapters.wechat_replies import CUSTOM_LIMIT, render, split_text
from adapters.wechat_template import TemplateLayout
from bot.clock import Clock, local
from bot.outbound import Delivery
from dialogs.replies import Reply

log = logging.getLogger(__name__)

SERVICE_WINDOW = timedelta(hours=48)
# 45015: past the 48-hour window; 45047: too many customer-service messages since the user's last one.
OUT_OF_WINDOW = frozenset({45015, 45047})
# The resident cannot be reached at all: why, for the staff who read the delivery record.
UNREACHABLE: dict[int, str] = {
    43004: "居民已取消关注公众号",
    43019: "居民已被加入黑名单",
    40003: "openid 无效",
}
WINDOW_CLOSED = "居民最后一次发消息已超过48小时,微信不允许再发客服消息"

LastSeen = Callable[[str], datetime | None]


class WeChatSender:
    """The ChannelSender of the WeChat channel (bot.outbound), plus the synchronous calls it is made of."""

    def __init__(
        self,
        api: WeChatApi,
        *,
        template_id: str,
        clock: Clock,
        last_seen: LastSeen | None = None,
        layout: TemplateLayout | None = None,
    ) -> None:
        self._api = api
        self._template_id = template_id
        self._clock = clock
        self._last_seen = last_seen
        self._layout = layout or TemplateLayout()

    async def send(self, user_id: str, replies: Sequence[Reply]) -> Delivery:
        return await asyncio.to_thread(self.deliver, user_id, replies)

    def deliver(self, user_id: str, replies: Sequence[Reply]) -> Delivery:
        text = render(replies)
        if not text:
            return Delivery("not_delivered", "empty message")
        if not self._inside_window(user_id):
            return self._template(user_id, text, WINDOW_CLOSED)
        parts = split_text(text, CUSTOM_LIMIT)
        sent = 0
        try:
            for part in parts:
                self._api.send_text(user_id, part)
                sent += 1
        except WeChatApiError as exc:
            if sent == 0 and exc.errcode in OUT_OF_WINDOW:
                return self._template(user_id, text, f"{WINDOW_CLOSED} ({exc.errcode})")
            if sent == 0 and exc.errcode in UNREACHABLE:
                return Delivery("not_delivered", f"{UNREACHABLE[exc.errcode]} ({exc.errcode})")
            return Delivery("failed", f"sent {sent} of {len(parts)} parts; {exc}"[:500])
        detail = "customer-service message" if len(parts) == 1 else f"customer-service message, {sent} parts"
        return Delivery("delivered", detail)

    def send_texts(self, user_id: str, parts: Sequence[str]) -> int:
        """Send parts in order as customer-service messages; stops at the first error (raised)."""
        for sent, part in enumerate(parts):
            try:
                self._api.send_text(user_id, part)
            except WeChatApiError:
                log.warning("customer-service message %d of %d to a WeChat user failed", sent + 1, len(parts))
                raise
        return len(parts)

    def _inside_window(self, user_id: str) -> bool:
        if self._last_seen is None:
            return True  # unknown here: the platform answers 45015 when the window is closed
        seen = self._last_seen(user_id)
        return seen is not None and self._clock() - local(seen) < SERVICE_WINDOW

    def _template(self, user_id: str, text: str, reason: str) -> Delivery:
        if not self._template_id:
            return Delivery("not_delivered", f"{reason};未配置模板消息 (WECHAT_TEMPLATE_ID)")
        try:
            self._api.send_template(user_id, self._template_id, self._layout.data(text, self._clock()))
        except WeChatApiError as exc:
            if exc.errcode in UNREACHABLE:
                return Delivery("not_delivered", f"{UNREACHABLE[exc.errcode]} ({exc.errcode})")
            return Delivery("failed", f"template message: {exc}"[:500])
        return Delivery("delivered", "template message (outside the 48-hour window)")
