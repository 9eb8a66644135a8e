"""A fake Telegram for tests: a Bot API server on loopback, and residents who make real Update JSON.

`FakeBotApi` is a real HTTP server in a thread on an ephemeral port of 127.0.0.1, speaking the Bot
API as python-telegram-bot calls it (`POST /bot<token>/<method>`, form-encoded parameters). It
implements getMe, sendMessage, answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo and
getUpdates, records every call, and records any other call (or a wrong token) in `unexpected` so the
test can fail on it. Failures are scripted per method and chat (`fail`).

`TelegramResident` builds the updates Telegram would send for what one resident does, from the
recorded updates in tests/adapters/fixtures/telegram/, with fresh update ids.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

FIXTURES = Path(__file__).resolve().parent.parent / "adapters" / "fixtures" / "telegram"
TOKEN = "7012345678:AAFakeTokenForTests-only_abcdefghij"
BOT_USER: dict[str, Any] = {
    "id": 7012345678,
    "is_bot": True,
    "first_name": "社区助手",
    "username": "SzCommunityHelperBot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters python-telegram-bot sends JSON-encoded inside the form.
_JSON_PARAMS = frozenset({"reply_markup", "allowed_updates", "link_preview_options", "reply_parameters"})
_MESSAGE_DATE = 1763863200  # 2025-11-23 10:00 Shenzhen: fixed, so recorded responses are stable
_HANDLED = frozenset(
    {
        "getMe",
        "sendMessage",
        "answerCallbackQuery",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "getUpdates",
    }
)


@dataclass(frozen=True, slots=True)
class ApiCall:
    method: str
    params: dict[str, Any]


@dataclass
class _Failure:
    method: str
    chat_id: str | None
    status: int
    description: str
    retry_after: int | None
    remaining: int | None
    after: int


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str = ""
    allowed_updates: list[str] = field(default_factory=list)
    max_connections: int | None = None


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.unexpected: list[str] = []
        self.webhook = _Webhook()
        self._failures: list[_Failure] = []
        self._updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(9001)
        self._changed = threading.Condition()
        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for it, and every test stops a server.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), name="fake-bot-api", daemon=True
        )

    # --- life cycle ------------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def api_base(self) -> str:
        """The `base_url` for python-telegram-bot (it appends the token)."""
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/bot"

    # --- what the tests look at ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def sent(self) -> list[dict[str, Any]]:
        """The parameters of every sendMessage call, in order."""
        return [c.params for c in self.calls_to("sendMessage")]

    def sent_texts(self) -> list[str]:
        return [p["text"] for p in self.sent()]

    def clear(self) -> None:
        with self._changed:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, *, timeout: float = 10.0) -> bool:
        """Block until `count` calls of `method` were recorded (for polling running in a server loop)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout=timeout
            )

    # --- what the tests script -------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int,
        description: str,
        chat_id: int | str | None = None,
        retry_after: int | None = None,
        times: int | None = None,
        after: int = 0,
    ) -> None:
        """Answer `method` (for `chat_id`, if given) with a Bot API error, `times` times or for ever,
        once `after` matching calls have succeeded."""
        with self._changed:
            self._failures.append(
                _Failure(
                    method,
                    None if chat_id is None else str(chat_id),
                    status,
                    description,
                    retry_after,
                    times,
                    after,
                )
            )

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates."""
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    # --- the Bot API -----------------------------------------------------------------------------

    def _call(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            with self._changed:
                self.unexpected.append(f"wrong token or path: {path.split('/')[-1]}")
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        if method not in _HANDLED:
            with self._changed:
                self.unexpected.append(method)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        with self._changed:
            self.calls.append(ApiCall(method, params))
            self._changed.notify_all()
            failure = self._failure_for(method, params)
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        return 200, {"ok": True, "result": self._result(method, params)}

    def _failure_for(self, method: str, params: dict[str, Any]) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method or failure.remaining == 0:
                continue
            if failure.chat_id is not None and str(params.get("chat_id")) != failure.chat_id:
                continue
            if failure.after > 0:
                failure.after -= 1
                return None
            if failure.remaining is not None:
                failure.remaining -= 1
            return failure
        return None

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "from": BOT_USER,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "date": _MESSAGE_DATE,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "setWebhook":
            with self._changed:
                self.webhook = _Webhook(
                    url=params.get("url", ""),
                    secret_token=params.get("secret_token", ""),
                    allowed_updates=list(params.get("allowed_updates", [])),
                    max_connections=int(params["max_connections"]) if "max_connections" in params else None,
                )
            return True
        if method == "deleteWebhook":
            with self._changed:
                self.webhook = _Webhook()
                if params.get("drop_pending_updates") == "true":
                    self._updates.clear()
            return True
        if method == "getWebhookInfo":
            info: dict[str, Any] = {
                "url": self.webhook.url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self.webhook.allowed_updates:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.max_connections is not None:
                info["max_connections"] = self.webhook.max_connections
            return info
        return True  # answerCallbackQuery

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        with self._changed:
            # Telegram forgets every update below the offset: the bot confirmed them.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._changed.wait_for(lambda: bool(self._updates) or self._closed, timeout=timeout)
            return copy.deepcopy(self._updates)


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            status, body = api._call(self.path, _params(self.headers.get("Content-Type", ""), raw))
            self._reply(status, body)

        def do_GET(self) -> None:
            status, body = api._call(self.path.split("?", 1)[0], {})
            self._reply(status, body)

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler


def _params(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(raw))
    params: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for name in _JSON_PARAMS & params.keys():
        params[name] = json.loads(params[name])
    return params


@contextmanager
def running_bot_api(token: str = TOKEN) -> Iterator[FakeBotApi]:
    api = FakeBotApi(token).start()
    try:
        yield api
    finally:
        api.stop()


# --- the resident's side -----------------------------------------------------------------------

RECORDED_USER_ID = 521937460  # the private chat the fixtures were recorded in
_update_ids = itertools.count(431029301)


def load_fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


@dataclass
class TelegramResident:
    """One resident in a private chat with the bot; each method returns the Update Telegram would send."""

    chat_id: int = RECORDED_USER_ID
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1201))

    def text(self, text: str) -> dict[str, Any]:
        update = self.fixture("text_message")
        update["message"]["text"] = text
        return update

    def command(self, text: str) -> dict[str, Any]:
        """A typed or tapped command such as "/start" or "/start help_request"; Telegram marks it."""
        update = self.fixture("command_start")
        update["message"]["text"] = text
        update["message"]["entities"] = [
            {"offset": 0, "length": len(text.split(" ", 1)[0]), "type": "bot_command"}
        ]
        return update

    def press(self, key: str) -> dict[str, Any]:
        """Tap the inline button whose callback_data is `key`."""
        update = self.fixture("callback_query")
        update["callback_query"]["data"] = key
        update["callback_query"]["id"] = f"2254330493182{update['update_id']}"
        return update

    def fixture(self, name: str) -> dict[str, Any]:
        """A recorded update, re-addressed to this resident, with a fresh update id."""
        update = _readdress(load_fixture(name), self.chat_id)
        update["update_id"] = next(_update_ids)
        for key in ("message", "edited_message"):
            if key in update:
                update[key]["message_id"] = next(self._message_ids)
        return update


def _readdress(value: Any, chat_id: int) -> Any:
    if isinstance(value, dict):
        return {
            k: chat_id if k in ("id", "user_id") and v == RECORDED_USER_ID else _readdress(v, chat_id)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_readdress(v, chat_id) for v in value]
    return value
