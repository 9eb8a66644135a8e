"""Keep phone numbers out of free-text columns that are stored unencrypted (descriptions, questions)."""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![\w-])\+?\d[\d\s-]{6,16}\d(?![\w-])")


def _looks_like_phone(digits: str) -> bool:
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if digits.startswith("852") and len(digits) == 11:
        digits = digits[3:]
    mainland_mobile = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    hong_kong = len(digits) == 8 and digits[0] in "235679"
    landline = digits.startswith("0") and 10 <= len(digits) <= 12
    return mainland_mobile or hong_kong or landline


def redact_phones(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if not _looks_like_phone(digits):
            return match.group(0)
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 11 else f"****{digits[-4:]}"

    return _CANDIDATE.sub(mask, text)
