"""The WeChat server API (customer-service and template messages, custom menu) through wechatpy.

wechatpy's WeChatClient is used unchanged except for three things: the API base comes from the
settings (tests point it at a fake server), the access token lives in the shared store, and the
token retry is ours: wechatpy's own `auto_retry` retries an invalid-token error without limit,
here the token is refreshed once and the call retried once. Platform errors become WeChatApiError,
part of the bot.errors tree.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from adapters.wechat_session import KeyValueStore, SharedSessionStorage
from bot.errors import DeliveryFailed
from bot.settings import WeChatSettings

log = logging.getLogger(__name__)

# 40001 invalid credential, 40014 invalid access token, 42001 access token expired.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
HTTP_TIMEOUT_SECONDS = 10.0

# One lock per process for fetching tokens: threads that find no token wait for the one fetching.
_token_lock = threading.Lock()


class WeChatApiError(DeliveryFailed):
    """The platform refused a call; `errcode` is WeChat's error code (None: no answer or no JSON)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class PlatformClient(WeChatClient):  # type: ignore[misc]  # wechatpy is untyped
    """WeChatClient with a configurable API base and one token fetch at a time per process."""

    def __init__(
        self,
        app_id: str,
        secret: str,
        *,
        api_base: str,
        session: SharedSessionStorage,
        http: requests.Session | None = None,
        timeout: float = HTTP_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(app_id, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base if api_base.endswith("/") else api_base + "/"
        if http is not None:
            self._http = http

    @property
    def access_token(self) -> str:
        # The shared store's expiry replaces wechatpy's per-instance `expires_at` bookkeeping.
        token = self.session.get(self.access_token_key)
        if token:
            return str(token)
        with _token_lock:
            token = self.session.get(self.access_token_key)
            if not token:
                self.fetch_access_token()
                token = self.session.get(self.access_token_key)
        return str(token or "")

    def fetch_access_token(self) -> dict[str, Any]:
        # wechatpy hard-codes https://api.weixin.qq.com/cgi-bin/token here; use the configured base.
        result: dict[str, Any] = self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return result

    def refresh_token(self, stale: str) -> None:
        """Replace a token the platform rejected, unless another thread or worker already did."""
        with _token_lock:
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return
            self.session.delete(self.access_token_key)
            self.fetch_access_token()


class WeChatApi:
    def __init__(
        self,
        settings: WeChatSettings,
        store: KeyValueStore,
        *,
        http: requests.Session | None = None,
        timeout: float = HTTP_TIMEOUT_SECONDS,
    ) -> None:
        self.client = PlatformClient(
            settings.app_id,
            settings.app_secret,
            api_base=settings.api_base,
            session=SharedSessionStorage(store),
            http=http,
            timeout=timeout,
        )

    def send_text(self, openid: str, content: str) -> None:
        """One customer-service text message (within 48 hours of the user's last message)."""
        self._call(lambda: self.client.message.send_text(openid, content))

    def send_template(self, openid: str, template_id: str, data: dict[str, dict[str, str]]) -> None:
        self._call(lambda: self.client.message.send_template(openid, template_id, data))

    def create_menu(self, menu: dict[str, Any]) -> None:
        self._call(lambda: self.client.menu.create(menu))

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            used = self.client.access_token
            try:
                return call()
            except WeChatClientException as exc:
                if _code(exc.errcode) not in TOKEN_ERRORS:
                    raise
                # The token the refused request carried: another thread may have replaced the
                # stored one between reading `used` and sending, and that is the one refused.
                stale = _request_token(exc) or used
                log.info("WeChat rejected the access token (%s); refreshing once", exc.errcode)
                self.client.refresh_token(stale)
                return call()
        except WeChatClientException as exc:
            raise WeChatApiError(_code(exc.errcode), str(exc.errmsg or "no JSON answer")) from exc
        except requests.RequestException as exc:
            raise WeChatApiError(None, f"network: {type(exc).__name__}") from exc


def _request_token(exc: WeChatClientException) -> str:
    """The access_token query parameter of the request WeChat refused ('' when unknown)."""
    url = getattr(getattr(exc, "request", None), "url", None)
    if not isinstance(url, str):
        return ""
    values = parse_qs(urlsplit(url).query).get("access_token", [])
    return values[0] if values else ""


def _code(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
