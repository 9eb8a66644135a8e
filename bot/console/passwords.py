"""Password hashing for staff accounts: scrypt with a per-user random salt, parameters kept in the hash.

The stored form is `scrypt$N$r$p$salt$hash` (salt and hash url-safe base64), so the cost can be raised
later without invalidating existing hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class ScryptCost:
    n: int
    r: int
    p: int


# N=2^15, r=8 needs 32 MiB per hash: slow enough to hurt guessing, fast enough (0.1-0.3 s) for a login.
# New hashes use COST; old hashes keep the cost they were made with (it is stored in the hash).
COST = ScryptCost(n=2**15, r=8, p=1)
_MAXMEM = 64 * 1024 * 1024
_SALT_BYTES = 16
_KEY_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY_BYTES
    )


def hash_password(password: str) -> str:
    """A new salted scrypt hash of `password`."""
    salt = secrets.token_bytes(_SALT_BYTES)
    n, r, p = COST.n, COST.r, COST.p
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_derive(password, salt, n, r, p))}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; a malformed hash never matches (and never raises)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _derive(password, _unb64(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, _unb64(expected))
    except ValueError:
        return False


@cache
def dummy_hash() -> str:
    """Checked when the username is unknown, so that a wrong name costs as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))
