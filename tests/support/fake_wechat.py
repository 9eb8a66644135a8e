"""A fake WeChat: the API server the adapter calls, and the platform side that pushes callbacks.

FakeWeChatServer is a real HTTP server on 127.0.0.1 (a thread, an ephemeral port) answering the
endpoints the adapter may use: `token`, `message/custom/send`, `message/template/send` and
`menu/create`. It checks what the real platform checks (access token, content size, menu limits,
the 48-hour window when told it is closed) and records every request, so tests assert the exact
outgoing payload. Any other request is answered 404 and recorded in `unexpected`.

WeChatPush plays the WeChat server calling our webhook: signed query parameters, plain or
AES-encrypted bodies (wechatpy's WeChatCrypto), and decryption of encrypted replies.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

FIXTURES = Path(__file__).resolve().parent.parent / "adapters" / "fixtures" / "wechat"

APP_ID = "wx5823bf96d3bd56c7"
APP_SECRET = "test-app-secret-0123456789abcdef"
TOKEN = "community-test-token"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # 43 characters, as WeChat generates them
ACCOUNT = "gh_3f1c0e8d9a2b"  # the official account's original id (ToUserName)
RESIDENT = "oVfPx5sXq2Jk8mNwL3tR9yZa1BcD"  # an openid

# What the real platform allows (developers.weixin.qq.com, custom menu and customer-service docs).
TEXT_LIMIT_BYTES = 2048
MENU_BUTTONS = (1, 3)
MENU_SUB_BUTTONS = (1, 5)
MENU_NAME_BYTES = 16
MENU_SUB_NAME_BYTES = 60
MENU_KEY_BYTES = 128


@dataclass(frozen=True)
class Recorded:
    method: str
    endpoint: str  # the path after /cgi-bin/, e.g. "message/custom/send"
    query: dict[str, str]
    body: Any  # the JSON body, None for GET


@dataclass
class _Script:
    """Scripted platform behaviour: errors to return next, users whose 48-hour window is closed."""

    failures: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    closed_windows: set[str] = field(default_factory=set)
    unsubscribed: set[str] = field(default_factory=set)


class FakeWeChatServer:
    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.requests: list[Recorded] = []
        self.unexpected: list[Recorded] = []
        self.valid_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.tokens_issued = 0
        self._script = _Script()
        self._changed = threading.Condition()
        self._token_numbers = itertools.count(1)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wechat", daemon=True
        )

    # --- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> FakeWeChatServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/cgi-bin/"

    # --- what tests script and read ------------------------------------------------------------

    def fail_next(self, endpoint: str, errcode: int, errmsg: str = "scripted error", times: int = 1) -> None:
        with self._changed:
            self._script.failures.setdefault(endpoint, []).extend([(errcode, errmsg)] * times)

    def close_window(self, openid: str) -> None:
        """The user last wrote more than 48 hours ago: customer-service messages get 45015."""
        self._script.closed_windows.add(openid)

    def unsubscribe(self, openid: str) -> None:
        self._script.unsubscribed.add(openid)

    def revoke_tokens(self) -> None:
        """Every token issued so far becomes invalid (40001, as when another client fetched a new one)."""
        with self._changed:
            self.valid_tokens.clear()

    def expire_tokens(self) -> None:
        """Every token issued so far has run out (42001, as after its 7200 seconds)."""
        with self._changed:
            self.expired_tokens |= self.valid_tokens
            self.valid_tokens.clear()

    def calls(self, endpoint: str) -> list[Recorded]:
        with self._changed:
            return [r for r in self.requests if r.endpoint == endpoint]

    def sent_texts(self) -> list[tuple[str, str]]:
        """(openid, content) of every accepted customer-service text message, in order."""
        return [
            (r.body["touser"], r.body["text"]["content"])
            for r in self.calls("message/custom/send")
            if r.body.get("msgtype") == "text"
        ]

    def wait_for(self, endpoint: str, count: int, timeout: float = 20.0) -> list[Recorded]:
        """Block until `count` requests to `endpoint` arrived (a condition wait, not a sleep)."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: len([r for r in self.requests if r.endpoint == endpoint]) >= count, timeout
            )
        calls = self.calls(endpoint)
        assert arrived, f"expected {count} calls to {endpoint}, got {len(calls)}"
        return calls

    # --- the platform --------------------------------------------------------------------------

    def _answer(
        self, method: str, endpoint: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if method == "GET" and endpoint == "token":
            return 200, self._token(query)
        if method != "POST" or endpoint not in (
            "message/custom/send",
            "message/template/send",
            "menu/create",
        ):
            return 404, {"errcode": 404, "errmsg": "not a fake endpoint"}
        if query.get("access_token") in self.expired_tokens:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if query.get("access_token") not in self.valid_tokens:
            return 200, {
                "errcode": 40001,
                "errmsg": "invalid credential, access_token is invalid or not latest",
            }
        scripted = self._script.failures.get(endpoint)
        if scripted:
            errcode, errmsg = scripted.pop(0)
            return 200, {"errcode": errcode, "errmsg": errmsg}
        if not isinstance(body, dict):
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        if endpoint == "message/custom/send":
            return 200, self._custom(body)
        if endpoint == "message/template/send":
            return 200, self._template(body)
        return 200, _check_menu(body)

    def _token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"ACCESS_TOKEN_{next(self._token_numbers)}"
        self.valid_tokens.add(token)
        self.tokens_issued += 1
        return {"access_token": token, "expires_in": 7200}

    def _custom(self, body: dict[str, Any]) -> dict[str, Any]:
        openid = body.get("touser", "")
        if openid in self._script.unsubscribed:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        if openid in self._script.closed_windows:
            return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
        content = body.get("text", {}).get("content", "") if body.get("msgtype") == "text" else ""
        if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        return {"errcode": 0, "errmsg": "ok"}

    def _template(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("touser") in self._script.unsubscribed:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        if not body.get("template_id") or not isinstance(body.get("data"), dict):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        return {"errcode": 0, "errmsg": "ok", "msgid": 200228332}

    def _record(self, recorded: Recorded, known: bool) -> None:
        with self._changed:
            self.requests.append(recorded)
            if not known:
                self.unexpected.append(recorded)
            self._changed.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                endpoint = (
                    url.path.removeprefix("/cgi-bin/") if url.path.startswith("/cgi-bin/") else url.path
                )
                query = dict(parse_qsl(url.query))
                body: Any = None
                if method == "POST":
                    raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    try:
                        body = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        body = raw.decode("utf-8", "replace")
                with server._changed:
                    status, answer = server._answer(method, endpoint, query, body)
                # Record after answering, so a test woken by the record sees the platform's state.
                server._record(Recorded(method, endpoint, query, body), known=status != 404)
                payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:  # the test output stays quiet
                return

        return Handler


def _check_menu(menu: dict[str, Any]) -> dict[str, Any]:
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not MENU_BUTTONS[0] <= len(buttons) <= MENU_BUTTONS[1]:
        return {"errcode": 40016, "errmsg": "invalid button size"}
    for button in buttons:
        if len(str(button.get("name", "")).encode("utf-8")) > MENU_NAME_BYTES:
            return {"errcode": 40018, "errmsg": "invalid button name size"}
        subs = button.get("sub_button")
        if subs is not None:
            if not MENU_SUB_BUTTONS[0] <= len(subs) <= MENU_SUB_BUTTONS[1]:
                return {"errcode": 40023, "errmsg": "invalid sub button size"}
            for sub in subs:
                if len(str(sub.get("name", "")).encode("utf-8")) > MENU_SUB_NAME_BYTES:
                    return {"errcode": 40027, "errmsg": "invalid sub button name size"}
                error = _check_click(sub)
                if error:
                    return error
        else:
            error = _check_click(button)
            if error:
                return error
    return {"errcode": 0, "errmsg": "ok"}


def _check_click(button: dict[str, Any]) -> dict[str, Any] | None:
    if button.get("type") != "click":
        return {"errcode": 40017, "errmsg": "invalid button type"}
    if not button.get("key") or len(str(button["key"]).encode("utf-8")) > MENU_KEY_BYTES:
        return {"errcode": 40019, "errmsg": "invalid button key size"}
    return None


def guard_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection to a host other than this machine, and keep proxies out of loopback calls."""
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"outgoing network call to {name!r} in a test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


# --- the platform side of callbacks -----------------------------------------------------------


def load_message(name: str, **values: object) -> str:
    """A WeChat callback XML from tests/adapters/fixtures/wechat/<name>.xml with $placeholders filled."""
    defaults: dict[str, object] = {
        "to": ACCOUNT,
        "from": RESIDENT,
        "time": int(time.time()),
        "msg_id": 24000000000000001,
    }
    template = Template((FIXTURES / f"{name}.xml").read_text(encoding="utf-8"))
    return template.substitute({**defaults, **values})


@dataclass(frozen=True)
class SignedRequest:
    params: dict[str, str]
    body: bytes


class WeChatPush:
    """Builds callbacks the way the WeChat server does."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        app_id: str = APP_ID,
        aes_key: str = AES_KEY,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.now = now
        self.crypto = WeChatCrypto(token, aes_key, app_id)

    def signature(self, *parts: str) -> str:
        return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()

    def query(self, *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        stamp = str(int(self.now()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))  # WeChat's nonces are random numbers
        return {
            "signature": self.signature(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "openid": RESIDENT,
        }

    def verification(self, echostr: str = "8734651198735412763") -> dict[str, str]:
        return {**self.query(), "echostr": echostr}

    def plain(self, xml: str, **query: Any) -> SignedRequest:
        return SignedRequest(self.query(**query), xml.encode("utf-8"))

    def encrypted(self, xml: str, **query: Any) -> SignedRequest:
        """Safe mode: the body holds only <Encrypt>; msg_signature covers it."""
        params = self.query(**query)
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))[
            "xml"
        ]
        encrypt = sealed["Encrypt"]
        params.update(
            encrypt_type="aes",
            msg_signature=self.signature(self.token, params["timestamp"], params["nonce"], encrypt),
        )
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return SignedRequest(params, body.encode("utf-8"))

    def compatible(self, xml: str, **query: Any) -> SignedRequest:
        """Compatible mode: the plain fields and <Encrypt> side by side."""
        sealed = self.encrypted(xml, **query)
        encrypt = xmltodict.parse(sealed.body)["xml"]["Encrypt"]
        body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        return SignedRequest(sealed.params, body.encode("utf-8"))

    def open_reply(self, body: str) -> str:
        """Decrypt an encrypted reply, checking its MsgSignature as the platform does."""
        sealed = xmltodict.parse(body)["xml"]
        expected = self.signature(self.token, sealed["TimeStamp"], sealed["Nonce"], sealed["Encrypt"])
        assert sealed["MsgSignature"] == expected, "reply MsgSignature does not match"
        return str(
            self.crypto.decrypt_message(sealed, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
        )


def reply_fields(xml: str) -> dict[str, str]:
    """The fields of a passive reply XML."""
    return dict(xmltodict.parse(xml)["xml"])


def message_counter(start: int = 24000000000000001) -> Iterator[int]:
    """MsgIds, increasing like WeChat's."""
    return itertools.count(start)


class WeChatResident:
    """One resident writing to the account: callbacks posted the way WeChat posts them, replies read back.

    `encryption` is how the platform sends: "plain", "safe" (only <Encrypt>) or "compatible" (both).
    """

    def __init__(
        self,
        client: Any,  # starlette.testclient.TestClient
        push: WeChatPush | None = None,
        *,
        encryption: str = "plain",
        openid: str = RESIDENT,
        msg_ids: Iterator[int] | None = None,
    ) -> None:
        self.client = client
        self.push = push or WeChatPush()
        self.encryption = encryption
        self.openid = openid
        self.msg_ids = msg_ids or message_counter()

    def message(self, name: str, **values: object) -> str:
        """The XML of one callback from this resident (a new MsgId unless given)."""
        defaults = {"from": self.openid, "msg_id": next(self.msg_ids), "time": int(self.push.now())}
        return load_message(name, **{**defaults, **values})

    def sign(self, xml: str, **query: Any) -> SignedRequest:
        if self.encryption == "safe":
            return self.push.encrypted(xml, **query)
        if self.encryption == "compatible":
            return self.push.compatible(xml, **query)
        return self.push.plain(xml, **query)

    def post(self, xml: str, **query: Any) -> Any:
        request = self.sign(xml, **query)
        return self.client.post("/wechat", params=request.params, content=request.body)

    def send(self, name: str, **values: object) -> Any:
        return self.post(self.message(name, **values))

    def answer(self, response: Any) -> dict[str, str] | None:
        """The passive reply's fields (decrypted when encrypted); None for "success"."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        body = response.text
        if self.encryption != "plain" and "<Encrypt>" in body:
            body = self.push.open_reply(body)
        fields = reply_fields(body)
        assert fields["ToUserName"] == self.openid and fields["FromUserName"] == ACCOUNT
        assert fields["MsgType"] == "text"
        return fields

    def says(self, content: str) -> str:
        """Send a text message; the text of the reply."""
        fields = self.answer(self.send("text", content=content))
        assert fields is not None, "expected a reply, got success"
        return fields["Content"]
