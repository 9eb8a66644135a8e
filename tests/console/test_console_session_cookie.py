"""The signed session cookie and its CSRF tokens, without the web app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.console.session_cookie import SessionSigner, console_secret
from tests.conftest import TEST_PII_KEY
from tests.support.clock import FakeClock


@pytest.fixture
def signer() -> SessionSigner:
    return SessionSigner(b"k" * 32)


def test_a_cookie_reads_back_until_it_expires(signer: SessionSigner) -> None:
    clock = FakeClock()
    value = signer.issue(account_id=7, epoch=3, now=clock())
    claims = signer.read(value, now=clock())
    assert claims is not None and (claims.account_id, claims.epoch) == (7, 3)
    clock.advance(hours=12, seconds=1)
    assert signer.read(value, now=clock()) is None


@pytest.mark.parametrize("position", range(6))
def test_changing_any_part_breaks_the_signature(signer: SessionSigner, position: int) -> None:
    now = FakeClock()()
    parts = signer.issue(account_id=7, epoch=3, now=now).split(".")
    parts[position] = parts[position][:-1] + ("0" if parts[position][-1] != "0" else "1")
    assert signer.read(".".join(parts), now=now) is None


def test_another_key_does_not_accept_the_cookie(signer: SessionSigner) -> None:
    now = FakeClock()()
    value = signer.issue(account_id=7, epoch=3, now=now)
    assert SessionSigner(b"x" * 32).read(value, now=now) is None


def test_csrf_tokens_belong_to_one_session(signer: SessionSigner) -> None:
    now = FakeClock()()
    first = signer.read(signer.issue(account_id=7, epoch=0, now=now), now=now)
    second = signer.read(signer.issue(account_id=7, epoch=0, now=now), now=now)
    assert first is not None and second is not None
    assert signer.check_csrf(first, signer.csrf_token(first))
    assert not signer.check_csrf(first, signer.csrf_token(second))
    assert not signer.check_csrf(first, "")


def test_login_form_tokens_expire_after_an_hour(signer: SessionSigner) -> None:
    clock = FakeClock()
    nonce = signer.new_login_nonce(now=clock())
    token = signer.login_csrf(nonce)
    assert signer.check_login_csrf(nonce, token, now=clock())
    assert not signer.check_login_csrf(nonce, token + "x", now=clock())
    assert not signer.check_login_csrf(nonce.replace(".", "!", 1), token, now=clock())
    clock.advance(hours=1, seconds=1)
    assert not signer.check_login_csrf(nonce, token, now=clock())


def test_the_secret_follows_the_pii_key_and_is_not_the_key(tmp_path: Path) -> None:
    secret = console_secret(TEST_PII_KEY, tmp_path)
    assert secret == console_secret(TEST_PII_KEY, tmp_path / "elsewhere")
    assert TEST_PII_KEY.encode() not in secret and len(secret) == 32
    # With no configured key, the key file created in the data directory is used (and kept).
    from_file = console_secret("", tmp_path)
    assert from_file == console_secret("", tmp_path) != secret
    assert (tmp_path / "pii.key").exists()


def test_a_lifetime_can_be_shorter(signer: SessionSigner) -> None:
    short = SessionSigner(b"k" * 32, lifetime=timedelta(minutes=5))
    clock = FakeClock()
    value = short.issue(account_id=1, epoch=0, now=clock())
    clock.advance(minutes=6)
    assert short.read(value, now=clock()) is None
