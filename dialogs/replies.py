"""What a dialog says back: text plus optional numbered choices."""

from __future__ import annotations

from dataclasses import dataclass

CASE_REF_PLACEHOLDER = "{case_ref}"


@dataclass(frozen=True, slots=True)
class Choice:
    """A numbered choice. `key` is what the user types (a digit); `payload` is what it means.

    A payload starting with "/" is a command for the dialogs; anything else is treated as if the
    user had typed it.
    """

    key: str
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user. Channels without buttons render choices as numbered text lines."""

    text: str
    choices: tuple[Choice, ...] = ()

    def as_text(self) -> str:
        if not self.choices:
            return self.text
        lines = [self.text, *(f"{c.key} {c.label}" for c in self.choices)]
        return "\n".join(lines)


def numbered(labels_and_payloads: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> tuple[Choice, ...]:
    """Number choices 1..n in order."""
    return tuple(Choice(str(i), label, payload) for i, (label, payload) in enumerate(labels_and_payloads, 1))
