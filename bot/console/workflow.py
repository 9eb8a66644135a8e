"""The case workflow of the console, declared in workflow.yml and validated against the case store."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.case_store import STATUSES
from bot.errors import ConfigError

WORKFLOW_FILE = Path(__file__).resolve().parent / "workflow.yml"


class StatusSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    final: bool = False
    next: tuple[str, ...] = ()
    reopen: tuple[str, ...] = ()


class Workflow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reopen_roles: tuple[str, ...]
    statuses: dict[str, StatusSpec]

    @model_validator(mode="after")
    def _matches_the_case_store(self) -> Workflow:
        if tuple(self.statuses) != STATUSES:
            raise ValueError(f"statuses must be exactly {STATUSES}, in that order")
        for code, spec in self.statuses.items():
            for target in (*spec.next, *spec.reopen):
                if target not in self.statuses or target == code:
                    raise ValueError(f"{code}: cannot move to {target!r}")
            if spec.reopen and not spec.final:
                raise ValueError(f"{code}: only a final status can be reopened")
        return self

    def label(self, status: str) -> str:
        spec = self.statuses.get(status)
        return spec.label if spec else status

    def targets(self, status: str, *, role: str) -> tuple[str, ...]:
        """The statuses a member of `role` may move a case in `status` to, in declared order."""
        spec = self.statuses.get(status)
        if spec is None:
            return ()
        reopen = spec.reopen if role in self.reopen_roles else ()
        return (*spec.next, *reopen)

    def allows(self, from_status: str, to_status: str, *, role: str) -> bool:
        return to_status in self.targets(from_status, role=role)

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(code for code, spec in self.statuses.items() if not spec.final)


def load_workflow(path: Path = WORKFLOW_FILE) -> Workflow:
    try:
        return Workflow.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise ConfigError(f"{path.name}: {exc}") from exc


@cache
def workflow() -> Workflow:
    return load_workflow()
