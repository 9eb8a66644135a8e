"""Authenticate WeChat callbacks: SHA-1 signatures compared in constant time, timestamp age, nonce reuse.

wechatpy's `check_signature` compares with `!=`, which leaks through timing how much of a forged
signature matched; these checks use `hmac.compare_digest` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from bot.errors import SignatureInvalid


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 over the parts sorted and concatenated (token, timestamp, nonce[, encrypt])."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    """The `signature` query parameter of every callback (plain, compatible and safe mode)."""
    if not hmac.compare_digest(sign(token, timestamp, nonce).encode(), signature.lower().encode()):
        raise SignatureInvalid("signature does not match")


def check_msg_signature(token: str, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
    """The `msg_signature` of an encrypted body: it also covers the ciphertext."""
    expected = sign(token, timestamp, nonce, encrypt)
    if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
        raise SignatureInvalid("msg_signature does not match")


def check_timestamp(timestamp: str, *, now: float, max_age: int) -> int:
    """Refuse timestamps older (or further in the future) than `max_age` seconds: captured requests go stale."""
    if not timestamp.isdigit():
        raise SignatureInvalid("timestamp is not a number")
    value = int(timestamp)
    if abs(now - value) > max_age:
        raise SignatureInvalid("timestamp too old or in the future")
    return value


class NonceGuard:
    """Remembers which body came with each (timestamp, nonce) while the timestamp is still accepted.

    In plain mode the signature does not cover the body, so a captured signature could carry a forged
    body. WeChat's own retries repeat the same body and stay welcome; the same timestamp and nonce
    with a different body is refused. Per process: it narrows the window, it does not close it
    across workers (safe mode, where `msg_signature` covers the body, does).
    """

    def __init__(self, max_age: int) -> None:
        self._max_age = max_age
        self._seen: dict[tuple[str, str], tuple[int, str]] = {}
        self._lock = threading.Lock()

    def check(self, timestamp: str, nonce: str, body: bytes, *, now: float) -> None:
        digest = hashlib.sha256(body).hexdigest()
        key = (timestamp, nonce)
        with self._lock:
            self._forget_older_than(now - self._max_age)
            seen = self._seen.get(key)
            if seen is not None and not hmac.compare_digest(seen[1], digest):
                raise SignatureInvalid("timestamp and nonce replayed with another body")
            self._seen[key] = (int(timestamp), digest)

    def _forget_older_than(self, limit: float) -> None:
        # Entries arrive in about timestamp order (WeChat signs with the current time), so the stale
        # ones are at the front of the insertion-ordered dict: stop at the first fresh one.
        while self._seen:
            oldest = next(iter(self._seen))
            if self._seen[oldest][0] >= limit:
                break
            del self._seen[oldest]
