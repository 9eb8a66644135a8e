"""Conversations through `/wechat` on the real app (bot.cli.build_web_app), real core, fake WeChat API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from adapters.wechat_inbound import MENU_KEYS
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.models import Case, Conversation, MessageLog
from bot.settings import Settings, WeChatSettings
from dialogs import texts
from tests.support.clock import FakeClock
from tests.support.fake_wechat import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    RESIDENT,
    TOKEN,
    FakeWeChatServer,
    WeChatPush,
    WeChatResident,
    guard_network,
    load_message,
)

# The core's wording (dialogs/texts.py): what each kind of message must be answered with.
MENU = "\n".join(f"{i} {label}" for i, (label, _payload) in enumerate(texts.MENU_LABELS, 1))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChatServer]:
    guard_network(monkeypatch)
    with FakeWeChatServer() as fake:
        yield fake
    assert fake.unexpected == []


def wechat_settings(server: FakeWeChatServer, mode: str = "plain") -> WeChatSettings:
    return WeChatSettings(
        token=TOKEN,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        aes_key=AES_KEY,
        mode=mode,
        api_base=server.api_base,
    )


@contextmanager
def running_app(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, mode: str
) -> Iterator[TestClient]:
    app_settings = replace(settings, wechat=wechat_settings(server, mode))
    app_settings.validate()
    with TestClient(build_web_app(app_settings, assistant)) as client:
        yield client


@pytest.fixture
def client(settings: Settings, assistant: Assistant, server: FakeWeChatServer) -> Iterator[TestClient]:
    with running_app(settings, assistant, server, "plain") as test_client:
        yield test_client


@pytest.fixture
def push(clock: FakeClock) -> WeChatPush:
    """WeChat signing its callbacks at the assistant's time (the app checks timestamps against it)."""
    return WeChatPush(now=lambda: clock().timestamp())


@pytest.fixture
def resident(client: TestClient, push: WeChatPush) -> WeChatResident:
    return WeChatResident(client, push)


def count(assistant: Assistant, model: type) -> int:
    with assistant.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def nothing_stored(assistant: Assistant) -> bool:
    return (
        count(assistant, MessageLog) == 0
        and count(assistant, Case) == 0
        and count(assistant, Conversation) == 0
    )


# --- connecting the account ---------------------------------------------------------------------


def test_the_server_url_is_verified_by_echoing_echostr(client: TestClient, push: WeChatPush) -> None:
    response = client.get("/wechat", params=push.verification("5837397520665436492"))
    assert (response.status_code, response.text) == (200, "5837397520665436492")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"signature": "0" * 40}, 403),
        ({"timestamp": "1000000000"}, 403),  # signed long ago
        ({"echostr": ""}, 400),
        ({"nonce": ""}, 400),
    ],
)
def test_a_forged_or_incomplete_verification_is_refused(
    client: TestClient, push: WeChatPush, change: dict[str, str], status: int
) -> None:
    params = push.verification()
    if "timestamp" in change:
        params = WeChatPush(now=lambda: 1_000_000_000).verification()
    else:
        params.update(change)
    assert client.get("/wechat", params=params).status_code == status


def test_the_residents_openid_in_the_callback_url_stays_out_of_the_access_log(
    client: TestClient, push: WeChatPush, caplog: pytest.LogCaptureFixture
) -> None:
    query = "&".join(f"{name}={value}" for name, value in push.query().items())
    assert RESIDENT in query
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The record uvicorn writes for every request (protocols/http/*_impl.py).
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "POST", f"/wechat?{query}", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "GET", "/healthz?verbose=1", "1.1", 200)
    assert caplog.messages == [
        '127.0.0.1:50312 - "POST /wechat?<query hidden> HTTP/1.1" 200',
        '127.0.0.1:50312 - "GET /healthz?verbose=1 HTTP/1.1" 200',
    ]


# --- what residents send ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "amount", "source"),
    [
        ("示范点每个社区资助多少钱?", "15万元", "来源:《深圳市“社区建设示范点”项目实施方案》"),
        ("示範點每個社區資助多少錢?", "15萬元", "來源:《深圳市“社區建設示範點”項目實施方案》"),
        ("示範點每個社區資助幾多錢呀?", "15萬元", "來源:"),
    ],
    ids=["simplified", "traditional", "cantonese"],
)
def test_a_policy_question_is_answered_with_its_source(
    resident: WeChatResident, assistant: Assistant, question: str, amount: str, source: str
) -> None:
    answer = resident.says(question)
    assert amount in answer
    assert source in answer
    assert "2014" in answer
    assert count(assistant, MessageLog) == 2  # the question and the answer, in the transcript


@pytest.mark.parametrize(
    "recognition",
    ["示范点每个社区资助多少钱", "示範點每個社區資助幾多錢"],
    ids=["mandarin", "cantonese"],
)
def test_an_elderly_resident_asks_by_voice(resident: WeChatResident, recognition: str) -> None:
    fields = resident.answer(resident.send("voice", recognition=recognition))
    assert fields is not None
    assert "15" in fields["Content"] and ("来源" in fields["Content"] or "來源" in fields["Content"])


def test_unrecognised_speech_gets_a_kind_request_to_repeat(resident: WeChatResident) -> None:
    fields = resident.answer(resident.send("voice", recognition=""))
    assert fields is not None
    assert fields["Content"] == f"{texts.MEDIA_REPLIES['voice_unrecognized']}\n{MENU}"


def test_following_the_account_is_welcomed(resident: WeChatResident) -> None:
    fields = resident.answer(resident.send("subscribe"))
    assert fields is not None
    assert fields["Content"].startswith(texts.WELCOME)
    assert fields["Content"].endswith(MENU)


def test_unfollowing_needs_no_answer_and_stores_nothing(
    resident: WeChatResident, assistant: Assistant
) -> None:
    response = resident.send("unsubscribe")
    assert (response.status_code, response.text) == (200, "success")
    assert nothing_stored(assistant)


@pytest.mark.parametrize(("name"), ["view", "location_report"])
def test_events_without_a_question_get_no_answer(
    resident: WeChatResident, assistant: Assistant, name: str
) -> None:
    assert resident.send(name).text == "success"
    assert nothing_stored(assistant)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("POLICY", texts.POLICY_PROMPT),
        ("HELP", "登记求助"),
        ("VOLUNTEER", "报名志愿者"),
        ("STATUS", texts.STATUS_NONE),
        ("GUIDE", "你们的项目"),
        ("HUMAN", texts.HANDOFF.split("{case_ref}")[0]),
    ],
    ids=lambda value: value if value in MENU_KEYS else "",
)
def test_each_menu_button_opens_its_service(
    resident: WeChatResident, assistant: Assistant, key: str, expected: str
) -> None:
    assert key in MENU_KEYS
    fields = resident.answer(resident.send("click", key=key))
    assert fields is not None
    assert expected in fields["Content"]
    assert count(assistant, Case) == (1 if key == "HUMAN" else 0)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("image", texts.MEDIA_REPLIES["image"]),
        ("location", texts.MEDIA_REPLIES["location"]),
        ("link", texts.MEDIA_REPLIES["link"]),
        ("video", texts.MEDIA_REPLIES["other"]),
        ("shortvideo", texts.MEDIA_REPLIES["other"]),
        ("file", texts.MEDIA_REPLIES["other"]),
        ("unknown", texts.MEDIA_REPLIES["other"]),
    ],
    ids=lambda value: value if value.isascii() else "",
)
def test_pictures_places_links_and_files_get_a_polite_specific_answer(
    resident: WeChatResident, name: str, answer: str
) -> None:
    fields = resident.answer(resident.send(name))
    assert fields is not None
    assert fields["Content"] == f"{answer}\n{MENU}"


def test_a_retry_after_a_lost_answer_gets_the_same_answer_and_changes_nothing(
    resident: WeChatResident, assistant: Assistant
) -> None:
    xml = resident.message("text", content="我要转人工")
    first = resident.answer(resident.post(xml))
    retry = resident.answer(resident.post(xml))
    assert first is not None and retry is not None
    assert retry["Content"] == first["Content"]
    assert count(assistant, Case) == 1
    assert count(assistant, MessageLog) == 2


# --- refused requests ---------------------------------------------------------------------------


def forged(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign(resident.message("text", content="我要转人工"))
    return {**request.params, "signature": "f" * 40}, request.body


def stale(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign(resident.message("text", content="我要转人工"), timestamp=1_000_000_000)
    return request.params, request.body


def from_the_future(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    future = int(resident.push.now()) + 3600
    request = resident.sign(resident.message("text", content="我要转人工"), timestamp=future)
    return request.params, request.body


def malformed(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign("<xml><MsgType>text</MsgType><Content>我要转人工")
    return request.params, request.body


def oversize(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign(resident.message("text", content="转人工" * 30_000))
    return request.params, request.body


def unsigned(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign(resident.message("text", content="我要转人工"))
    return {k: v for k, v in request.params.items() if k != "signature"}, request.body


def no_timestamp(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.sign(resident.message("text", content="我要转人工"))
    return {k: v for k, v in request.params.items() if k != "timestamp"}, request.body


def encrypted_in_plain_mode(resident: WeChatResident) -> tuple[dict[str, str], bytes]:
    request = resident.push.encrypted(resident.message("text", content="我要转人工"))
    return request.params, request.body


@pytest.mark.parametrize(
    ("build", "status"),
    [
        (forged, 403),
        (stale, 403),
        (from_the_future, 403),
        (malformed, 400),
        (oversize, 413),
        (unsigned, 400),
        (no_timestamp, 400),
        (encrypted_in_plain_mode, 400),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_refused_requests_store_nothing(
    client: TestClient,
    resident: WeChatResident,
    assistant: Assistant,
    build,
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    params, body = build(resident)
    response = client.post("/wechat", params=params, content=body)
    assert response.status_code == status
    assert nothing_stored(assistant)


def test_the_adapter_limits_the_body_itself(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer
) -> None:
    # A body within the app's limit but past the channel's own (e.g. a smaller limit for /wechat).
    from adapters.wechat import WeChatChannel
    from bot.http_app import create_app
    from bot.shared_store import SharedStore

    channel = WeChatChannel(
        wechat_settings(server), assistant.handle, shared=SharedStore(assistant.sessions), max_body=1024
    )
    with TestClient(create_app(assistant, routers=[channel.router()])) as client:
        resident = WeChatResident(client)
        assert resident.send("text", content="转人工" * 400).status_code == 413
        assert resident.says("我要转人工").startswith("好的,已为您转人工")
    assert count(assistant, Case) == 1


def test_a_chunked_body_without_content_length_is_read_and_limited(
    client: TestClient, resident: WeChatResident, assistant: Assistant
) -> None:
    def chunks(data: bytes) -> Iterator[bytes]:
        yield from (data[i : i + 100] for i in range(0, len(data), 100))

    small = resident.sign(resident.message("text", content="我要转人工"))
    response = client.post("/wechat", params=small.params, content=chunks(small.body))
    fields = resident.answer(response)
    assert fields is not None and fields["Content"].startswith(texts.HANDOFF.split("{case_ref}")[0])
    large = resident.sign(resident.message("text", content="转人工" * 30_000))
    assert client.post("/wechat", params=large.params, content=chunks(large.body)).status_code == 413
    assert count(assistant, Case) == 1


def test_a_signature_replayed_with_another_body_is_refused(
    client: TestClient, resident: WeChatResident, assistant: Assistant
) -> None:
    original = resident.sign(resident.message("text", content="你好"))
    assert client.post("/wechat", params=original.params, content=original.body).status_code == 200
    stored = count(assistant, MessageLog)
    tampered = resident.message("text", content="我要转人工")
    response = client.post("/wechat", params=original.params, content=tampered.encode())
    assert response.status_code == 403
    assert count(assistant, MessageLog) == stored
    assert count(assistant, Case) == 0


# --- safe and compatible mode -------------------------------------------------------------------


def test_safe_mode_round_trip(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with running_app(settings, assistant, server, "safe") as client:
        resident = WeChatResident(client, push, encryption="safe")
        response = resident.send("text", content="示范点每个社区资助多少钱?")
        assert "<Encrypt>" in response.text and "15万元" not in response.text  # nothing readable on the wire
        fields = resident.answer(response)
        assert fields is not None
        assert "15万元" in fields["Content"]


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        (lambda params, body: ({**params, "msg_signature": "0" * 40}, body), 403),
        (lambda params, body: ({k: v for k, v in params.items() if k != "msg_signature"}, body), 400),
        (lambda params, body: ({k: v for k, v in params.items() if k != "encrypt_type"}, body), 400),
        (lambda params, body: (params, body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[x")), 403),
    ],
    ids=["forged msg_signature", "no msg_signature", "unencrypted", "tampered ciphertext"],
)
def test_safe_mode_refuses_what_it_cannot_authenticate(
    settings: Settings,
    assistant: Assistant,
    server: FakeWeChatServer,
    push: WeChatPush,
    tamper,
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    with running_app(settings, assistant, server, "safe") as client:
        resident = WeChatResident(client, push, encryption="safe")
        request = resident.sign(resident.message("text", content="我要转人工"))
        params, body = tamper(request.params, request.body)
        assert client.post("/wechat", params=params, content=body).status_code == status
    assert nothing_stored(assistant)


def test_compatible_mode_answers_in_kind(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    with running_app(settings, assistant, server, "compatible") as client:
        plain = WeChatResident(client, push, encryption="plain")
        plain_response = plain.send("subscribe")
        assert "<Encrypt>" not in plain_response.text
        assert plain.answer(plain_response) is not None

        both = WeChatResident(client, push, encryption="compatible", openid="oVfPx5sXq2Jk8mNwL3tR9yZa1BcE")
        response = both.send("text", content="示范点每个社区资助多少钱?")
        assert "<Encrypt>" in response.text
        fields = both.answer(response)
        assert fields is not None and "15万元" in fields["Content"]


def test_the_decrypted_body_is_what_counts_in_compatible_mode(
    settings: Settings, assistant: Assistant, server: FakeWeChatServer, push: WeChatPush
) -> None:
    # The plain copy in a compatible-mode body is not signed: a changed plain copy is ignored.
    with running_app(settings, assistant, server, "compatible") as client:
        resident = WeChatResident(client, push, encryption="compatible")
        request = resident.sign(resident.message("text", content="示范点每个社区资助多少钱?"))
        body = request.body.replace("示范点每个社区资助多少钱?".encode(), "我要转人工".encode())
        fields = resident.answer(client.post("/wechat", params=request.params, content=body))
    assert fields is not None and "15万元" in fields["Content"]
    assert count(assistant, Case) == 0


def test_a_fixture_message_is_real_wechat_xml() -> None:
    xml = load_message("text", content="你好", msg_id=1)
    assert f"<FromUserName><![CDATA[{RESIDENT}]]></FromUserName>" in xml
