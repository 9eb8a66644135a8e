"""Callback authentication: SHA-1 signatures compared in constant time, timestamp age, nonce reuse."""

from __future__ import annotations

import hmac

import pytest
from wechatpy.utils import WeChatSigner

from adapters import wechat_signature
from adapters.wechat_signature import NonceGuard, check_msg_signature, check_signature, check_timestamp, sign
from bot.errors import SignatureInvalid

TOKEN = "community-test-token"
NOW = 1_795_000_000


def wechatpy_signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


@pytest.mark.parametrize(
    "parts",
    [
        (TOKEN, "1795000000", "1320562132"),
        (TOKEN, "1795000000", "1320562132", "c2FmZS1tb2RlLWNpcGhlcnRleHQ="),
        ("令牌", "1795000000", "nonce"),
    ],
)
def test_signature_is_what_wechat_computes(parts: tuple[str, ...]) -> None:
    assert sign(*parts) == wechatpy_signature(*parts)


def test_a_correct_signature_passes_in_either_case() -> None:
    good = sign(TOKEN, "1795000000", "42")
    check_signature(TOKEN, good, "1795000000", "42")
    check_signature(TOKEN, good.upper(), "1795000000", "42")


@pytest.mark.parametrize(
    ("signature", "timestamp", "nonce"),
    [
        ("0" * 40, "1795000000", "42"),  # forged
        (sign("another-token", "1795000000", "42"), "1795000000", "42"),  # signed with another token
        (sign(TOKEN, "1795000000", "42"), "1795000001", "42"),  # timestamp changed after signing
        (sign(TOKEN, "1795000000", "42"), "1795000000", "43"),  # nonce changed after signing
        ("", "1795000000", "42"),
    ],
)
def test_forged_signatures_are_refused(signature: str, timestamp: str, nonce: str) -> None:
    with pytest.raises(SignatureInvalid):
        check_signature(TOKEN, signature, timestamp, nonce)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(wechat_signature.hmac, "compare_digest", spy)
    check_signature(TOKEN, sign(TOKEN, "1", "2"), "1", "2")
    check_msg_signature(TOKEN, sign(TOKEN, "1", "2", "body"), "1", "2", "body")
    assert len(calls) == 2


def test_msg_signature_covers_the_ciphertext() -> None:
    signature = sign(TOKEN, "1795000000", "42", "ciphertext")
    check_msg_signature(TOKEN, signature, "1795000000", "42", "ciphertext")
    with pytest.raises(SignatureInvalid):
        check_msg_signature(TOKEN, signature, "1795000000", "42", "ciphertext-tampered")


@pytest.mark.parametrize("age", [0, 1, 299, 300, -300])
def test_fresh_timestamps_pass(age: int) -> None:
    assert check_timestamp(str(NOW - age), now=NOW, max_age=300) == NOW - age


@pytest.mark.parametrize(
    "timestamp", [str(NOW - 301), str(NOW - 86_400), str(NOW + 301), "0", "", "17x", "-5"]
)
def test_old_future_or_malformed_timestamps_are_refused(timestamp: str) -> None:
    with pytest.raises(SignatureInvalid):
        check_timestamp(timestamp, now=NOW, max_age=300)


def test_a_retry_with_the_same_body_passes_the_nonce_guard() -> None:
    guard = NonceGuard(max_age=300)
    guard.check(str(NOW), "42", b"<xml>same</xml>", now=NOW)
    guard.check(str(NOW), "42", b"<xml>same</xml>", now=NOW + 5)


def test_a_replayed_nonce_with_another_body_is_refused() -> None:
    guard = NonceGuard(max_age=300)
    guard.check(str(NOW), "42", b"<xml>original</xml>", now=NOW)
    with pytest.raises(SignatureInvalid):
        guard.check(str(NOW), "42", b"<xml>forged</xml>", now=NOW + 1)
    guard.check(str(NOW), "43", b"<xml>forged</xml>", now=NOW + 1)  # another nonce is another request


def test_the_nonce_guard_forgets_what_the_timestamp_check_refuses_anyway() -> None:
    guard = NonceGuard(max_age=300)
    guard.check(str(NOW), "42", b"<xml>original</xml>", now=NOW)
    guard.check(str(NOW + 400), "7", b"<xml>later</xml>", now=NOW + 400)
    guard.check(str(NOW), "42", b"<xml>other</xml>", now=NOW + 400)  # forgotten: too old to matter
