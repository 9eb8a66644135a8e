"""Keep phone and ID numbers out of free-text columns stored unencrypted (descriptions, questions, notes)."""

from __future__ import annotations

import re

from nlu.phones import mask_phones_in

# Mainland ID cards (15 or 18 characters, the last may be X) and bank cards (16-19 digits): digits that
# are not phone numbers but must not be stored readable either. Lookarounds use ASCII classes because
# `\w` also matches Chinese characters, and numbers are typed straight after them (电话13912345678).
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15,19})(?![0-9A-Za-z])")


def redact_numbers(text: str) -> str:
    """`text` with every phone number (valid or mistyped) and every ID or card number masked."""
    if not text:
        return text
    return _LONG_NUMBER.sub(lambda m: f"****{m.group(0)[-4:]}", mask_phones_in(text))
