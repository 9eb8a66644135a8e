"""The WeChat API client against the fake platform: one shared access token, one refresh, error codes."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.wechat import WeChatChannel
from adapters.wechat_api import WeChatApi, WeChatApiError
from adapters.wechat_session import SharedSessionStorage
from bot import db
from bot.errors import DeliveryFailed
from bot.messages import InboundMessage, TurnOutcome
from bot.settings import WeChatSettings
from bot.shared_store import SharedStore
from tests.support.clock import FakeClock
from tests.support.fake_wechat import APP_ID, APP_SECRET, RESIDENT, TOKEN, FakeWeChatServer, guard_network

TOKEN_KEY = f"wechat:{APP_ID}_access_token"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatServer]:
    guard_network(monkeypatch)
    with FakeWeChatServer() as fake:
        yield fake
    assert fake.unexpected == []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SharedStore]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    db.upgrade(engine)
    yield SharedStore(db.make_sessions(engine), clock=clock)
    engine.dispose()


def wechat_settings(server: FakeWeChatServer, **changes: Any) -> WeChatSettings:
    base = WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=server.api_base)
    return replace(base, **changes)


def unused_handler(message: InboundMessage) -> TurnOutcome:
    raise AssertionError("no turn in these tests")


def test_two_channel_instances_fetch_the_access_token_once(
    server: FakeWeChatServer, store: SharedStore
) -> None:
    # Two workers: two channels, two WeChatClient instances, one shared store.
    first = WeChatChannel(wechat_settings(server), unused_handler, shared=store)
    second = WeChatChannel(wechat_settings(server), unused_handler, shared=store)
    first.api.send_text(RESIDENT, "第一条")
    second.api.send_text(RESIDENT, "第二条")
    assert server.tokens_issued == 1
    assert [c.endpoint for c in server.requests] == ["token", "message/custom/send", "message/custom/send"]
    assert {c.query["access_token"] for c in server.calls("message/custom/send")} == {"ACCESS_TOKEN_1"}
    assert server.calls("token")[0].query == {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": APP_SECRET,
    }
    assert store.get(TOKEN_KEY) == "ACCESS_TOKEN_1"


@contextmanager
def two_workers(
    server: FakeWeChatServer, tmp_path: Path, clock: FakeClock
) -> Iterator[tuple[WeChatChannel, WeChatChannel]]:
    """Two channels as two worker processes build them: each its own engine on one database."""
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    engines = [db.make_engine(url) for _ in range(2)]
    db.upgrade(engines[0])
    first, second = (
        WeChatChannel(
            wechat_settings(server),
            unused_handler,
            shared=SharedStore(db.make_sessions(engine), clock=clock),
            clock=clock,
        )
        for engine in engines
    )
    try:
        yield first, second
    finally:
        for engine in engines:
            engine.dispose()


def sends(server: FakeWeChatServer) -> list[tuple[str, str]]:
    return [(c.query["access_token"], c.body["text"]["content"]) for c in server.calls("message/custom/send")]


def test_two_workers_on_one_database_fetch_the_access_token_once(
    server: FakeWeChatServer, tmp_path: Path, clock: FakeClock
) -> None:
    with two_workers(server, tmp_path, clock) as (first, second):
        first.api.send_text(RESIDENT, "一")
        second.api.send_text(RESIDENT, "二")
        first.api.send_text(RESIDENT, "三")
    assert server.tokens_issued == 1
    assert sends(server) == [("ACCESS_TOKEN_1", "一"), ("ACCESS_TOKEN_1", "二"), ("ACCESS_TOKEN_1", "三")]


@pytest.mark.parametrize(
    "lose_token",
    [
        FakeWeChatServer.revoke_tokens,  # 40001: someone fetched a new token with the same secret
        FakeWeChatServer.expire_tokens,  # 42001: the platform let it run out
    ],
    ids=["40001 invalid", "42001 expired"],
)
def test_two_workers_refresh_a_refused_token_once(
    server: FakeWeChatServer,
    tmp_path: Path,
    clock: FakeClock,
    lose_token: Callable[[FakeWeChatServer], None],
) -> None:
    with two_workers(server, tmp_path, clock) as (first, second):
        first.api.send_text(RESIDENT, "一")
        lose_token(server)
        first.api.send_text(RESIDENT, "二")  # refused, refreshed, sent again
        second.api.send_text(RESIDENT, "三")  # finds the new token in the database
    assert server.tokens_issued == 2
    assert sends(server) == [
        ("ACCESS_TOKEN_1", "一"),
        ("ACCESS_TOKEN_1", "二"),
        ("ACCESS_TOKEN_2", "二"),
        ("ACCESS_TOKEN_2", "三"),
    ]


def test_two_workers_refused_at_the_same_time_refresh_once(
    server: FakeWeChatServer, tmp_path: Path, clock: FakeClock
) -> None:
    with two_workers(server, tmp_path, clock) as (first, second):
        first.api.send_text(RESIDENT, "预热")
        server.expire_tokens()
        channels = [first, second] * 3
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(
                pool.map(lambda pair: pair[1].api.send_text(RESIDENT, f"消息{pair[0]}"), enumerate(channels))
            )
    assert server.tokens_issued == 2
    delivered = [content for token, content in sends(server) if token == "ACCESS_TOKEN_2"]
    assert sorted(delivered) == [f"消息{n}" for n in range(6)]


def test_two_workers_renew_a_token_expired_in_the_database_once(
    server: FakeWeChatServer, tmp_path: Path, clock: FakeClock
) -> None:
    with two_workers(server, tmp_path, clock) as (first, second):
        first.api.send_text(RESIDENT, "一")
        clock.advance(seconds=7200)  # past the stored copy's expiry (300 s before the platform's)
        second.api.send_text(RESIDENT, "二")
        first.api.send_text(RESIDENT, "三")
    assert server.tokens_issued == 2
    assert sends(server) == [("ACCESS_TOKEN_1", "一"), ("ACCESS_TOKEN_2", "二"), ("ACCESS_TOKEN_2", "三")]


def test_the_shared_token_is_renewed_before_it_expires(
    server: FakeWeChatServer, store: SharedStore, clock: FakeClock
) -> None:
    api = WeChatApi(wechat_settings(server), store)
    api.send_text(RESIDENT, "早上好")
    clock.advance(seconds=7200 - 301)  # valid for 7200 s; the shared copy is dropped 300 s early
    api.send_text(RESIDENT, "还是同一个令牌")
    clock.advance(seconds=2)
    api.send_text(RESIDENT, "换新令牌")
    tokens = [c.query["access_token"] for c in server.calls("message/custom/send")]
    assert tokens == ["ACCESS_TOKEN_1", "ACCESS_TOKEN_1", "ACCESS_TOKEN_2"]


def test_an_invalidated_token_is_refreshed_once_and_the_call_retried(
    server: FakeWeChatServer, store: SharedStore
) -> None:
    api = WeChatApi(wechat_settings(server), store)
    api.send_text(RESIDENT, "第一条")
    server.revoke_tokens()  # e.g. someone fetched a token with the same app secret elsewhere
    api.send_text(RESIDENT, "第二条")
    assert server.tokens_issued == 2
    sends = server.calls("message/custom/send")
    assert [(c.query["access_token"], c.body["text"]["content"]) for c in sends] == [
        ("ACCESS_TOKEN_1", "第一条"),
        ("ACCESS_TOKEN_1", "第二条"),  # refused with 40001
        ("ACCESS_TOKEN_2", "第二条"),
    ]
    assert store.get(TOKEN_KEY) == "ACCESS_TOKEN_2"


def test_a_token_error_that_persists_is_not_retried_forever(
    server: FakeWeChatServer, store: SharedStore
) -> None:
    api = WeChatApi(wechat_settings(server), store)
    server.fail_next("message/custom/send", 40001, "invalid credential", times=10)
    with pytest.raises(WeChatApiError) as raised:
        api.send_text(RESIDENT, "你好")
    assert raised.value.errcode == 40001
    assert len(server.calls("message/custom/send")) == 2  # the call and one retry
    assert server.tokens_issued == 2  # the first token and one refresh


def test_a_token_another_worker_already_renewed_is_not_fetched_again(
    server: FakeWeChatServer, store: SharedStore
) -> None:
    api = WeChatApi(wechat_settings(server), store)
    api.send_text(RESIDENT, "你好")
    storage = SharedSessionStorage(store)
    storage.set(f"{APP_ID}_access_token", "ACCESS_TOKEN_FROM_ANOTHER_WORKER", 7200)
    api.client.refresh_token(stale="ACCESS_TOKEN_1")
    assert server.tokens_issued == 1
    assert store.get(TOKEN_KEY) == "ACCESS_TOKEN_FROM_ANOTHER_WORKER"


@pytest.mark.parametrize(
    ("errcode", "errmsg"),
    [
        (45015, "response out of time limit"),
        (45009, "reach max api daily quota limit"),
        (43004, "require subscribe"),
    ],
)
def test_platform_error_codes_become_delivery_errors(
    server: FakeWeChatServer, store: SharedStore, errcode: int, errmsg: str
) -> None:
    api = WeChatApi(wechat_settings(server), store)
    server.fail_next("message/custom/send", errcode, errmsg)
    with pytest.raises(DeliveryFailed) as raised:
        api.send_text(RESIDENT, "你好")
    assert isinstance(raised.value, WeChatApiError)
    assert (raised.value.errcode, raised.value.errmsg) == (errcode, errmsg)
    assert len(server.calls("message/custom/send")) == 1  # not a token problem: no retry


def test_a_wrong_app_secret_is_reported_with_its_code(server: FakeWeChatServer, store: SharedStore) -> None:
    api = WeChatApi(wechat_settings(server, app_secret="wrong"), store)
    with pytest.raises(WeChatApiError) as raised:
        api.send_text(RESIDENT, "你好")
    assert raised.value.errcode == 40125
    assert server.calls("message/custom/send") == []


def test_an_unreachable_platform_is_a_delivery_error(
    monkeypatch: pytest.MonkeyPatch, store: SharedStore
) -> None:
    guard_network(monkeypatch)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = WeChatApi(
        WeChatSettings(
            token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=f"http://127.0.0.1:{port}/cgi-bin"
        ),
        store,
        timeout=5,
    )
    with pytest.raises(WeChatApiError) as raised:
        api.send_text(RESIDENT, "你好")
    assert raised.value.errcode is None


@pytest.mark.parametrize(("ttl", "kept"), [(7200, 6900), (600, 300), (100, 50), (None, None)])
def test_stored_tokens_expire_before_the_platform_drops_them(ttl: int | None, kept: int | None) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.saved: dict[str, tuple[str, object]] = {}

        def get(self, key: str) -> str | None:
            return self.saved[key][0] if key in self.saved else None

        def set(self, key: str, value: str, *, ttl: object = None) -> None:
            self.saved[key] = (value, ttl)

        def delete(self, key: str) -> None:
            self.saved.pop(key, None)

    recorder = Recorder()
    storage = SharedSessionStorage(recorder)
    storage.set("wx_access_token", "T", ttl)
    value, expiry = recorder.saved["wechat:wx_access_token"]
    assert value == "T"
    assert (expiry.total_seconds() if expiry is not None else None) == kept  # type: ignore[attr-defined]
    assert storage.get("wx_access_token") == "T"
    storage.delete("wx_access_token")
    assert storage.get("wx_access_token", "default") == "default"
