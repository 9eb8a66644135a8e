"""The registry of multi-turn flows, keyed by the name stored in `FlowState.name`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dialogs.category_guide import CategoryGuideFlow
from dialogs.eligibility import EligibilityFlow
from dialogs.forms import engine
from dialogs.forms.help_request import HELP_REQUEST
from dialogs.forms.spec import FormSpec
from dialogs.forms.volunteer_signup import VOLUNTEER_SIGNUP
from dialogs.turn import Decision, DialogServices, TurnInput


class Flow(Protocol):
    title: str

    def start(self, turn: TurnInput, services: DialogServices) -> Decision: ...

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        """None lets the router handle the message by intent (the flow stays as it is)."""
        ...

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision: ...


@dataclass(frozen=True, slots=True)
class FormFlow:
    spec: FormSpec

    @property
    def title(self) -> str:
        return self.spec.title

    def start(self, turn: TurnInput, services: DialogServices) -> Decision:
        return engine.start(self.spec, turn, services)

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        return engine.step(self.spec, turn, services)

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision:
        return engine.resume(self.spec, turn, services)


FLOWS: dict[str, Flow] = {
    HELP_REQUEST.name: FormFlow(HELP_REQUEST),
    VOLUNTEER_SIGNUP.name: FormFlow(VOLUNTEER_SIGNUP),
    "category_guide": CategoryGuideFlow(),
    "eligibility": EligibilityFlow(),
}
