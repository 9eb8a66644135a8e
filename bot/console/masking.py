"""What the console shows instead of a name or a phone: 王** and 139****5678.

Free text (transcripts, descriptions, details) is masked too: every phone number the Chinese-aware
phone finder sees, plus the case's own name and phone wherever they were typed.
"""

from __future__ import annotations

from bot.redaction import redact_numbers
from nlu.phones import mask_phone as nlu_mask_phone
from nlu.phones import national_digits

NOTHING = "—"


def mask_name(name: str) -> str:
    """The first character and one star per remaining character: 王阿姨 -> 王**, Chan -> C***."""
    name = name.strip()
    if not name:
        return NOTHING
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """+8613912345678 -> 139****5678; Hong Kong (8 digits) -> ****4567; nothing -> —."""
    return nlu_mask_phone(phone) if phone.strip() else NOTHING


def mask_text(text: str, *, name: str = "", phone: str = "") -> str:
    """`text` with phone numbers masked and the known name (two characters or more) masked."""
    if not text:
        return text
    masked = redact_numbers(text)
    national = national_digits(phone)
    if len(national) >= 7:
        masked = masked.replace(national, mask_phone(phone))
    name = name.strip()
    if len(name) >= 2:
        masked = masked.replace(name, mask_name(name))
    return masked
