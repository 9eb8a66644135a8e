"""Signed session cookies and the CSRF tokens bound to them (HMAC-SHA256, no server-side store).

A session cookie is `v1.<account id>.<epoch>.<issued unix time>.<nonce>.<signature>`. The account's
`session_epoch` must still match when the cookie comes back, so log-out or a password change ends
every copy of the cookie. The CSRF token of a session is an HMAC of its nonce under another label,
so a form can only be posted by a page the console itself rendered for that session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.pii import load_or_create_key

SESSION_COOKIE = "ca_console"
LOGIN_COOKIE = "ca_console_login"
SESSION_LIFETIME = timedelta(hours=12)  # one working day, then log in again
LOGIN_FORM_LIFETIME = timedelta(hours=1)
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SessionClaims:
    account_id: int
    epoch: int
    issued_at: int
    nonce: str


def console_secret(pii_key: str, data_dir: Path) -> bytes:
    """The signing key, derived one-way from the PII key, so every worker and host agrees on it.

    Rotating CA_PII_KEY therefore also logs every staff member out, which is what a rotation wants.
    """
    key = load_or_create_key(pii_key, data_dir)
    return hmac.new(key.encode("ascii"), b"community-assistant/console-session/v1", hashlib.sha256).digest()


class SessionSigner:
    def __init__(self, secret: bytes, *, lifetime: timedelta = SESSION_LIFETIME) -> None:
        self._secret = secret
        self._lifetime = lifetime

    @property
    def lifetime(self) -> timedelta:
        return self._lifetime

    def _sign(self, label: str, body: str) -> str:
        digest = hmac.new(self._secret, f"{label}|{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self, *, account_id: int, epoch: int, now: datetime) -> str:
        body = f"v1.{account_id}.{epoch}.{int(now.timestamp())}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._sign('session', body)}"

    def read(self, value: str, *, now: datetime) -> SessionClaims | None:
        """The claims of a genuine, unexpired cookie; None for anything else."""
        parts = value.split(".")
        if len(parts) != 6 or parts[0] != "v1":
            return None
        body, signature = ".".join(parts[:5]), parts[5]
        if not hmac.compare_digest(signature, self._sign("session", body)):
            return None
        try:
            account_id, epoch, issued = int(parts[1]), int(parts[2]), int(parts[3])
        except ValueError:
            return None
        age = now.timestamp() - issued
        if age > self._lifetime.total_seconds() or age < -_CLOCK_SKEW.total_seconds():
            return None
        return SessionClaims(account_id, epoch, issued, parts[4])

    def csrf_token(self, claims: SessionClaims) -> str:
        return self._sign("csrf", claims.nonce)

    def check_csrf(self, claims: SessionClaims, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf_token(claims))

    def new_login_nonce(self, *, now: datetime) -> str:
        """A pre-login cookie value, so the login form has a CSRF token too (login CSRF)."""
        body = f"{int(now.timestamp())}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._sign('login-cookie', body)}"

    def login_csrf(self, nonce: str) -> str:
        return self._sign("login-csrf", nonce)

    def check_login_csrf(self, nonce: str, token: str, *, now: datetime) -> bool:
        parts = nonce.split(".")
        if len(parts) != 3 or not token:
            return False
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2], self._sign("login-cookie", body)):
            return False
        try:
            issued = int(parts[0])
        except ValueError:
            return False
        if now.timestamp() - issued > LOGIN_FORM_LIFETIME.total_seconds():
            return False
        return hmac.compare_digest(token, self.login_csrf(nonce))
