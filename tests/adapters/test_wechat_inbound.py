"""WeChat XML -> InboundMessage, and plain / compatible / safe bodies opened (or refused)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from adapters.wechat_envelope import CallbackParams, Envelope
from adapters.wechat_inbound import MENU_KEYS, receive
from bot.clock import SHENZHEN
from bot.errors import ConfigError, PayloadInvalid, SignatureInvalid
from bot.messages import MessageKind
from bot.pipeline import EVENT_COMMANDS
from bot.settings import WeChatSettings
from tests.support.fake_wechat import AES_KEY, APP_ID, RESIDENT, TOKEN, WeChatPush, load_message

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHENZHEN)


def inbound(name: str, **values: object):  # type: ignore[no-untyped-def]
    return receive(load_message(name, **values), channel="wechat", now=NOW).inbound


@pytest.mark.parametrize(
    "content",
    ["示范点每个社区资助多少钱?", "示範點每個社區資助多少錢?", "我想問下社區有冇長者飯堂㗎", ""],
)
def test_text(content: str) -> None:
    message = inbound("text", content=content, msg_id=24000000000000042)
    assert message is not None
    assert (message.kind, message.text, message.user_id) == (MessageKind.TEXT, content, RESIDENT)
    assert (message.channel, message.message_id, message.received_at) == ("wechat", "24000000000000042", NOW)


@pytest.mark.parametrize(
    ("recognition", "expected"),
    [
        ("我想问一下长者饭堂在哪里。", "我想问一下长者饭堂在哪里。"),
        ("我想問一下長者飯堂喺邊度。", "我想問一下長者飯堂喺邊度。"),
        ("", ""),  # WeChat could not make out the speech
        ("  ", ""),
    ],
)
def test_voice_carries_wechats_speech_recognition(recognition: str, expected: str) -> None:
    message = inbound("voice", recognition=recognition)
    assert message is not None
    assert (message.kind, message.voice_text, message.text) == (MessageKind.VOICE, expected, "[语音]")


@pytest.mark.parametrize(
    ("name", "kind", "transcript"),
    [
        ("image", MessageKind.IMAGE, "[图片]"),
        ("location", MessageKind.LOCATION, "[位置] 广东省深圳市福田区福田街道福山社区"),
        ("link", MessageKind.LINK, "[链接] 深圳市社区服务指南 https://example.org/community-guide"),
        ("video", MessageKind.OTHER, "[视频]"),
        ("shortvideo", MessageKind.OTHER, "[小视频]"),
        ("file", MessageKind.OTHER, "[文件] 申报材料.docx"),
        ("unknown", MessageKind.OTHER, "[其他消息]"),
    ],
)
def test_other_message_types_get_a_kind_the_core_answers(
    name: str, kind: MessageKind, transcript: str
) -> None:
    message = inbound(name, msg_id=24000000000000077)
    assert message is not None
    assert (message.kind, message.text, message.message_id) == (kind, transcript, "24000000000000077")


@pytest.mark.parametrize("name", ["subscribe", "subscribe_scan"])
def test_following_the_account_is_the_subscribe_event(name: str) -> None:
    message = inbound(name, time=1795000000)
    assert message is not None
    assert (message.kind, message.event) == (MessageKind.EVENT, "subscribe")
    assert message.message_id.startswith(f"{RESIDENT}:1795000000:subscribe")


@pytest.mark.parametrize("key", MENU_KEYS)
def test_menu_clicks_become_menu_events_the_core_knows(key: str) -> None:
    message = inbound("click", key=key, time=1795000000)
    assert message is not None
    assert (message.kind, message.event) == (MessageKind.EVENT, f"menu:{key}")
    assert message.event in EVENT_COMMANDS
    # Events have no MsgId: sender, time, event and key identify a retry.
    assert message.message_id == f"{RESIDENT}:1795000000:click:{key}"


def test_two_clicks_at_different_times_are_two_messages() -> None:
    first = inbound("click", key="STATUS", time=1795000000)
    second = inbound("click", key="STATUS", time=1795000009)
    assert first is not None and second is not None
    assert first.message_id != second.message_id


@pytest.mark.parametrize("name", ["unsubscribe", "view", "location_report"])
def test_events_that_need_no_answer(name: str) -> None:
    assert inbound(name) is None


@pytest.mark.parametrize(
    "body",
    [
        "this is not xml",
        "",
        "<xml><MsgType>text</MsgType>",  # truncated
        "<message><MsgType>text</MsgType></message>",  # not a WeChat document
        "<xml>text</xml>",
        "<xml><FromUserName>u</FromUserName><ToUserName>a</ToUserName></xml>",  # no MsgType
        "<xml><MsgType>text</MsgType><ToUserName>a</ToUserName><Content>hi</Content></xml>",  # no sender
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><ToUserName>a</ToUserName>"
        "<Content>a</Content><Content>b</Content></xml>",  # repeated field
        "<xml><MsgType>text</MsgType><FromUserName><x>u</x></FromUserName><ToUserName>a</ToUserName></xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><ToUserName>a</ToUserName>"
        "<Content>&xxe;</Content></xml>",  # external entity
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><ToUserName>a</ToUserName>"
        "<CreateTime>1</CreateTime><MsgId>not-a-number</MsgId><Content>hi</Content></xml>",
    ],
)
def test_malformed_bodies_are_refused(body: str) -> None:
    with pytest.raises(PayloadInvalid):
        receive(body, channel="wechat", now=NOW)


# --- plain, compatible and safe bodies ----------------------------------------------------------


def settings(mode: str) -> WeChatSettings:
    return WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret="s", aes_key=AES_KEY, mode=mode)


def params(request_params: dict[str, str]) -> CallbackParams:
    return CallbackParams.from_query(request_params)


@pytest.mark.parametrize("mode", ["plain", "compatible"])
def test_plain_bodies_are_read_as_they_are(mode: str) -> None:
    xml = load_message("text", content="你好")
    request = WeChatPush().plain(xml)
    opened = Envelope(settings(mode)).open(params(request.params), request.body)
    assert (opened.xml, opened.encrypted) == (xml, False)


@pytest.mark.parametrize(("mode", "how"), [("safe", "encrypted"), ("compatible", "compatible")])
def test_encrypted_bodies_are_decrypted(mode: str, how: str) -> None:
    xml = load_message("text", content="示範點每個社區資助多少錢")
    request = getattr(WeChatPush(), how)(xml)
    opened = Envelope(settings(mode)).open(params(request.params), request.body)
    assert (opened.xml, opened.encrypted) == (xml, True)


def test_a_reply_is_sealed_exactly_when_the_request_was_encrypted() -> None:
    envelope = Envelope(settings("compatible"))
    assert envelope.seal("<xml>reply</xml>", encrypted=False, timestamp="1795000000") == "<xml>reply</xml>"
    sealed = envelope.seal("<xml>回复</xml>", encrypted=True, timestamp="1795000000")
    assert WeChatPush().open_reply(sealed) == "<xml>回复</xml>"


def test_safe_mode_refuses_an_unencrypted_body() -> None:
    request = WeChatPush().plain(load_message("text", content="你好"))
    with pytest.raises(PayloadInvalid):
        Envelope(settings("safe")).open(params(request.params), request.body)


def test_plain_mode_refuses_an_encrypted_body() -> None:
    request = WeChatPush().encrypted(load_message("text", content="你好"))
    with pytest.raises(PayloadInvalid):
        Envelope(settings("plain")).open(params(request.params), request.body)


def test_a_tampered_ciphertext_fails_the_msg_signature() -> None:
    request = WeChatPush().encrypted(load_message("text", content="你好"))
    tampered = request.body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA")
    with pytest.raises(SignatureInvalid):
        Envelope(settings("safe")).open(params(request.params), tampered)


def test_a_message_encrypted_for_another_app_is_refused() -> None:
    request = WeChatPush(app_id="wx0000000000000000").encrypted(load_message("text", content="你好"))
    with pytest.raises(SignatureInvalid):
        Envelope(settings("safe")).open(params(request.params), request.body)


def test_undecryptable_ciphertext_with_a_valid_signature_is_malformed() -> None:
    push = WeChatPush()
    query = push.query()
    garbage = "bm90IGEgY2lwaGVydGV4dA=="  # valid base64, not a multiple of the AES block size
    query.update(
        encrypt_type="aes", msg_signature=push.signature(TOKEN, query["timestamp"], query["nonce"], garbage)
    )
    body = f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode()
    with pytest.raises(PayloadInvalid):
        Envelope(settings("safe")).open(params(query), body)


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_missing_query_parameters_are_malformed(missing: str) -> None:
    query = WeChatPush().query()
    del query[missing]
    with pytest.raises(PayloadInvalid):
        CallbackParams.from_query(query)


def test_an_encrypted_body_without_msg_signature_is_malformed() -> None:
    request = WeChatPush().encrypted(load_message("text", content="你好"))
    del request.params["msg_signature"]
    with pytest.raises(PayloadInvalid):
        Envelope(settings("safe")).open(params(request.params), request.body)


@pytest.mark.parametrize("aes_key", ["!" * 43, "a" * 42 + "!"], ids=["not base64", "too short"])
def test_an_invalid_encoding_aes_key_is_a_configuration_error(aes_key: str) -> None:
    with pytest.raises(ConfigError):
        Envelope(replace(settings("safe"), aes_key=aes_key))
