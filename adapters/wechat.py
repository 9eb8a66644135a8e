"""The WeChat official-account channel: `GET/POST /wechat` callbacks and the customer-service sender.

Translation only: a callback is authenticated, opened (plain or AES), turned into an InboundMessage
and answered with the core's TurnOutcome as one passive text reply. WeChat waits 5 seconds and then
retries the same message; the turn runs in a worker thread and, when it misses
`settings.reply_deadline`, the request is answered "success" and the reply goes out later through
the customer-service message API. Concurrent copies of one message wait for the first and answer
"success", so the resident sees one answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import requests
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask
from wechatpy.messages import BaseMessage

from adapters.wechat_api import WeChatApi
from adapters.wechat_envelope import CallbackParams, Envelope
from adapters.wechat_inbound import receive
from adapters.wechat_inflight import InFlight
from adapters.wechat_logging import hide_callback_queries
from adapters.wechat_replies import (
    CUSTOM_LIMIT,
    EMPTY_REPLY,
    PASSIVE_LIMIT,
    passive_reply,
    render,
    split_text,
)
from adapters.wechat_sender import LastSeen, WeChatSender
from adapters.wechat_session import KeyValueStore
from adapters.wechat_signature import NonceGuard, check_signature, check_timestamp
from adapters.wechat_template import TemplateLayout
from bot.clock import Clock, shenzhen_now
from bot.errors import PayloadInvalid, SignatureInvalid
from bot.messages import Handler, InboundMessage, TurnOutcome
from bot.settings import WeChatSettings

log = logging.getLogger(__name__)

CHANNEL = "wechat"
PATH = "/wechat"
# A message answered through the customer-service API after the deadline: a later retry of it
# (the core replays the stored outcome) must not be answered a second time.
DEFERRED_KEY = "wechat:deferred:{message_id}"
DEFERRED_TTL = timedelta(hours=1)


class BodyTooLarge(PayloadInvalid):
    """The request body is larger than the configured limit."""


class WeChatChannel:
    name = CHANNEL

    def __init__(
        self,
        settings: WeChatSettings,
        handle: Handler,
        *,
        shared: KeyValueStore,
        max_body: int = 64 * 1024,
        last_seen: LastSeen | None = None,
        clock: Clock = shenzhen_now,
        template_layout: TemplateLayout | None = None,
        http: requests.Session | None = None,
        workers: int = 8,
    ) -> None:
        """`last_seen(openid)` is when the user last wrote (see adapters.wechat_window); without it the
        48-hour window is left to the platform, which refuses with 45015. `http` replaces the HTTP
        session of the API client (proxies, tests)."""
        self._settings = settings
        self._handle = handle
        self._shared = shared
        self._max_body = max_body
        self._clock = clock
        self._workers = workers
        self._envelope = Envelope(settings)
        self._nonces = NonceGuard(settings.max_timestamp_age)
        self._api = WeChatApi(settings, shared, http=http)
        self._sender = WeChatSender(
            self._api,
            template_id=settings.template_id,
            clock=clock,
            last_seen=last_seen,
            layout=template_layout,
        )
        self.in_flight: InFlight[TurnOutcome] = InFlight()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @property
    def api(self) -> WeChatApi:
        return self._api

    def sender(self) -> WeChatSender:
        return self._sender

    def close(self) -> None:
        """Wait for turns still running and replies still being sent, then stop the worker threads."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def router(self) -> APIRouter:
        hide_callback_queries(PATH)  # the query string carries the resident's openid

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            yield
            await run_in_threadpool(self.close)

        router = APIRouter(lifespan=lifespan)

        @router.get(PATH)
        async def verify(request: Request) -> Response:
            try:
                params = CallbackParams.from_query(request.query_params, need_echostr=True)
                self._authenticate(params)
            except SignatureInvalid as exc:
                return _refuse(403, exc)
            except PayloadInvalid as exc:
                return _refuse(400, exc)
            return PlainTextResponse(params.echostr)

        @router.post(PATH)
        async def callback(request: Request) -> Response:
            return await self._callback(request)

        return router

    # --- one callback --------------------------------------------------------------------------

    async def _callback(self, request: Request) -> Response:
        started = time.monotonic()
        try:
            body = await _read_body(request, self._max_body)
            params = CallbackParams.from_query(request.query_params)
            now = self._authenticate(params)
            self._nonces.check(params.timestamp, params.nonce, body, now=now.timestamp())
            opened = self._envelope.open(params, body)
            received = receive(opened.xml, channel=self.name, now=now)
        except BodyTooLarge as exc:
            return _refuse(413, exc)
        except SignatureInvalid as exc:
            return _refuse(403, exc)
        except PayloadInvalid as exc:
            return _refuse(400, exc)
        inbound = received.inbound
        if inbound is None:
            return _success()
        future, first = self.in_flight.join(inbound.message_id, lambda: self._submit(inbound))
        remaining = self._settings.reply_deadline - (time.monotonic() - started)
        finished = await _wait(future, remaining)
        if not first:
            self.in_flight.leave(inbound.message_id)
            if finished and future.exception() is not None:
                # Nothing was stored: "success" would end WeChat's retries with nobody answered.
                return PlainTextResponse("", status_code=500)
            return _success()  # the first copy answers
        if not finished:
            await run_in_threadpool(self._hand_over, inbound, future)
            return _success()
        error = future.exception()
        if error is not None:
            # Nothing was stored (the turn is one transaction): WeChat retries, the retry may succeed.
            log.error("turn failed for a WeChat message", exc_info=error)
            return PlainTextResponse("", status_code=500)
        outcome = future.result()
        if outcome.replayed and await run_in_threadpool(self._answered_later, inbound.message_id):
            return _success()
        return self._reply(received.message, inbound.user_id, outcome, encrypted=opened.encrypted)

    def _authenticate(self, params: CallbackParams) -> datetime:
        now = self._clock()
        check_signature(self._settings.token, params.signature, params.timestamp, params.nonce)
        check_timestamp(params.timestamp, now=now.timestamp(), max_age=self._settings.max_timestamp_age)
        return now

    def _reply(
        self, message: BaseMessage, user_id: str, outcome: TurnOutcome, *, encrypted: bool
    ) -> Response:
        parts = split_text(render(outcome.replies), PASSIVE_LIMIT)
        if not parts:
            return _success()
        created = int(self._clock().timestamp())
        xml = passive_reply(message, parts[0], created=created)
        body = self._envelope.seal(xml, encrypted=encrypted, timestamp=str(created))
        rest = split_text("\n\n".join(parts[1:]), CUSTOM_LIMIT)
        # A replayed outcome already had its extra parts sent with the first answer.
        background = None
        if rest and not outcome.replayed:
            background = BackgroundTask(self._send_quietly, user_id, rest)
        return Response(body, media_type="application/xml", background=background)

    # --- worker threads ------------------------------------------------------------------------

    def _submit(self, inbound: InboundMessage) -> Future[TurnOutcome]:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="wechat")
            return self._pool.submit(self._handle, inbound)

    def _hand_over(self, inbound: InboundMessage, future: Future[TurnOutcome]) -> None:
        """Past the deadline: the turn's replies go out through the customer-service API when it ends."""
        future.add_done_callback(lambda done: self._deliver_late(inbound.user_id, done))
        try:
            self._shared.set(DEFERRED_KEY.format(message_id=inbound.message_id), "1", ttl=DEFERRED_TTL)
        except Exception:  # the reply still goes out; only a later retry might be answered twice
            log.exception("could not record a deferred WeChat reply")

    def _deliver_late(self, user_id: str, future: Future[TurnOutcome]) -> None:
        error = future.exception()
        if error is not None:
            log.error("late turn failed for a WeChat message", exc_info=error)
            return
        outcome = future.result()
        if outcome.replayed:
            return  # another worker ran this turn and answered it
        self._send_quietly(user_id, split_text(render(outcome.replies), CUSTOM_LIMIT))

    def _send_quietly(self, user_id: str, parts: list[str]) -> None:
        """Send reply parts; a failure is logged (no request is waiting for it)."""
        try:
            self._sender.send_texts(user_id, parts)
        except Exception:  # a platform failure must not kill the worker thread
            log.exception("customer-service reply to a WeChat user failed")

    def _answered_later(self, message_id: str) -> bool:
        return self._shared.get(DEFERRED_KEY.format(message_id=message_id)) is not None


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` bytes (whatever Content-Length claimed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge(f"body larger than {limit} bytes")
    return bytes(body)


async def _wait(future: Future[TurnOutcome], timeout: float) -> bool:
    """Whether the future finished within `timeout` seconds; it keeps running either way."""
    if future.done():
        return True
    if timeout <= 0:
        return False
    # Not asyncio.wrap_future: cancelling its wrapper on timeout would cancel a turn still queued.
    loop = asyncio.get_running_loop()
    signal: asyncio.Future[None] = loop.create_future()

    def wake(_done: Future[TurnOutcome]) -> None:
        # RuntimeError: that request's event loop is gone, nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_set, signal)

    future.add_done_callback(wake)
    try:
        await asyncio.wait_for(signal, timeout)
    except TimeoutError:
        return future.done()
    return True


def _set(signal: asyncio.Future[None]) -> None:
    if not signal.done():
        signal.set_result(None)


def _success() -> Response:
    return PlainTextResponse(EMPTY_REPLY)


def _refuse(status: int, exc: Exception) -> Response:
    log.warning("WeChat callback refused (%d): %s", status, exc)
    return PlainTextResponse(type(exc).__name__, status_code=status)
