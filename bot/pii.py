"""Encryption at rest for names, phones and transcripts, and a keyed hash to find a phone again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.errors import ConfigError

log = logging.getLogger(__name__)


class PiiCipher:
    """Fernet (AES-128-CBC + HMAC) for values; HMAC-SHA256 under a derived key for look-ups."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, TypeError) as exc:
            raise ConfigError("CA_PII_KEY must be a Fernet key (32 url-safe base64-encoded bytes)") from exc
        self._hash_key = hashlib.sha256(b"community-assistant/phone-hash/" + key.encode("ascii")).digest()

    def encrypt(self, value: str) -> str:
        if not value:
            return ""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ConfigError("stored data cannot be decrypted with the configured CA_PII_KEY") from exc

    def keyed_hash(self, value: str) -> str:
        if not value:
            return ""
        return hmac.new(self._hash_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def load_or_create_key(configured: str, data_dir: Path) -> str:
    """The configured key, or for the embedded default set-up a key file created once in the data dir."""
    if configured:
        return configured
    path = data_dir / "pii.key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    log.warning("CA_PII_KEY is not set: created %s. Set CA_PII_KEY in production and keep it safe.", path)
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
