"""Chinese labels for the codes the console shows: declared in labels.yml, form options from dialogs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.errors import ConfigError
from dialogs.forms.help_request import NEED_TYPES
from dialogs.forms.volunteer_signup import AVAILABILITY, SERVICE_AREAS, SKILLS

LABELS_FILE = Path(__file__).resolve().parent / "labels.yml"


class UrgencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    rank: int = Field(ge=0)


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[str, str]
    urgencies: dict[str, UrgencySpec]
    events: dict[str, str]
    fields: dict[str, str]
    roles: dict[str, str]
    deliveries: dict[str, str]
    channels: dict[str, str]
    details: dict[str, str]
    signals: dict[str, str]
    reveal_reasons: tuple[str, ...] = ()

    def kind(self, code: str) -> str:
        return self.kinds.get(code, code)

    def urgency(self, code: str) -> str:
        spec = self.urgencies.get(code)
        return spec.label if spec else code

    def event(self, code: str) -> str:
        return self.events.get(code, code)

    def field(self, code: str) -> str:
        return self.fields.get(code, code)

    def role(self, code: str) -> str:
        return self.roles.get(code, code)

    def delivery(self, code: str) -> str:
        return self.deliveries.get(code, code)

    def channel(self, code: str) -> str:
        return self.channels.get(code, code)

    def detail(self, code: str) -> str:
        return self.details.get(code, code)

    def signal(self, code: str) -> str:
        return self.signals.get(code, code)

    def need(self, code: str) -> str:
        return _option_labels(NEED_TYPES).get(code) or self.kinds.get(code, code)

    def skills(self, codes: str) -> str:
        return _join(codes, _option_labels(SKILLS))

    def availability(self, codes: str) -> str:
        return _join(codes, _option_labels(AVAILABILITY))

    def areas(self, codes: str) -> str:
        return _join(codes, _option_labels(SERVICE_AREAS))

    def skill_options(self) -> tuple[tuple[str, str], ...]:
        return tuple((code, label) for label, code in SKILLS)

    def area_options(self) -> tuple[tuple[str, str], ...]:
        return tuple((code, label) for label, code in SERVICE_AREAS)


@cache
def _option_labels(options: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {code: label for label, code in options}


def _join(codes: str, labels: dict[str, str]) -> str:
    return "、".join(labels.get(code, code) for code in codes.split(",") if code) or "—"


def load_labels(path: Path = LABELS_FILE) -> Labels:
    try:
        return Labels.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise ConfigError(f"{path.name}: {exc}") from exc


@cache
def labels() -> Labels:
    return load_labels()
