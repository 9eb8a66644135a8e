"""Conversation state: a frozen value stored by the core between turns (as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dialogs.replies import Choice
from nlu.types import Script


@dataclass(frozen=True, slots=True)
class FlowState:
    """A multi-turn flow in progress (a form, the category guide, the eligibility check ...).

    `step` names what the flow is waiting for; `values` are the facts collected so far.
    """

    name: str
    step: str
    values: tuple[tuple[str, str], ...] = ()
    retries: int = 0

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.values:
            if k == key:
                return v
        return default

    def with_value(self, key: str, value: str) -> FlowState:
        kept = tuple((k, v) for k, v in self.values if k != key)
        return replace(self, values=(*kept, (key, value)))

    def without(self, *keys: str) -> FlowState:
        return replace(self, values=tuple((k, v) for k, v in self.values if k not in keys))

    def at(self, step: str, *, retries: int = 0) -> FlowState:
        return replace(self, step=step, retries=retries)


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Everything the assistant remembers about one conversation between turns."""

    script: Script = Script.SIMPLIFIED
    flow: FlowState | None = None
    suspended: FlowState | None = None  # a flow paused by an idle timeout, resumable with /resume
    choices: tuple[Choice, ...] = ()  # the numbered choices offered in the last reply
    last_active: datetime | None = None
    turns: int = 0
    extra: tuple[tuple[str, str], ...] = field(default=())

    def to_json(self) -> str:
        return json.dumps(_state_to_dict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
            return _state_from_dict(data)
        except (ValueError, KeyError, TypeError):
            # A state written by an older version that no longer parses restarts the conversation
            # rather than failing every turn.
            return cls()


def _flow_to_dict(flow: FlowState | None) -> dict[str, Any] | None:
    if flow is None:
        return None
    return {
        "name": flow.name,
        "step": flow.step,
        "values": [list(p) for p in flow.values],
        "retries": flow.retries,
    }


def _flow_from_dict(data: dict[str, Any] | None) -> FlowState | None:
    if not data:
        return None
    return FlowState(
        name=str(data["name"]),
        step=str(data["step"]),
        values=tuple((str(k), str(v)) for k, v in data.get("values", [])),
        retries=int(data.get("retries", 0)),
    )


def _state_to_dict(state: ConversationState) -> dict[str, Any]:
    return {
        "script": state.script.value,
        "flow": _flow_to_dict(state.flow),
        "suspended": _flow_to_dict(state.suspended),
        "choices": [[c.key, c.label, c.payload] for c in state.choices],
        "last_active": state.last_active.isoformat() if state.last_active else None,
        "turns": state.turns,
        "extra": [list(p) for p in state.extra],
    }


def _state_from_dict(data: dict[str, Any]) -> ConversationState:
    last = data.get("last_active")
    return ConversationState(
        script=Script(data.get("script", Script.SIMPLIFIED.value)),
        flow=_flow_from_dict(data.get("flow")),
        suspended=_flow_from_dict(data.get("suspended")),
        choices=tuple(Choice(str(k), str(label), str(p)) for k, label, p in data.get("choices", [])),
        last_active=datetime.fromisoformat(last) if last else None,
        turns=int(data.get("turns", 0)),
        extra=tuple((str(k), str(v)) for k, v in data.get("extra", [])),
    )
