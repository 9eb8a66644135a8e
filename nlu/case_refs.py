"""Case references: HR-YYYYMMDD-NNNN (help request) and VS-YYYYMMDD-NNNN (volunteer sign-up).

Users retype them loosely ("hr 20261123 0001", "HR202611230001", full-width letters, extra dashes),
so the pattern accepts any spaces, dashes or underscores between the prefix and the twelve digits.
The canonical value is upper-case with dashes. A date part that is not a real calendar date
(HR-20261131-0001) is not a reference.
"""

from __future__ import annotations

import re
from datetime import date

from nlu.phones import to_half_width
from nlu.types import Entity, EntityKind

PREFIX_KINDS: dict[str, str] = {"HR": "help", "VS": "volunteer"}
_SEP = r"[\s\-‐‑–—_]*"
_REF = re.compile(rf"(?<![A-Za-z0-9])(HR|VS){_SEP}(\d(?:{_SEP}\d){{11}})(?!\d)", re.IGNORECASE)


def _canonical(prefix: str, digits: str) -> str | None:
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return f"{prefix.upper()}-{digits[:8]}-{digits[8:]}"


def find_case_refs(text: str) -> tuple[Entity, ...]:
    """Case references in `text`: value "HR-20261123-0001", detail "help" or "volunteer"."""
    if not text:
        return ()
    half = to_half_width(text)
    found: list[Entity] = []
    for match in _REF.finditer(half):
        digits = re.sub(r"\D", "", match.group(2))
        value = _canonical(match.group(1), digits)
        if value is None:
            continue
        kind = PREFIX_KINDS[match.group(1).upper()]
        found.append(
            Entity(
                EntityKind.CASE_REF,
                value,
                text[match.start() : match.end()],
                match.start(),
                match.end(),
                1.0,
                kind,
            )
        )
    return tuple(found)


def parse_case_ref(text: str) -> str | None:
    """The canonical form of the first case reference in `text`, or None."""
    refs = find_case_refs(text)
    return refs[0].value if refs else None
