"""Target groups (服务对象): 老年人, 儿童, 新就业群体 ... named in a message.

The groups and their aliases (Simplified, Traditional, Cantonese) live in data/target_groups.yml.
Aliases are matched as substrings, longest first, without overlapping spans, so "独居老人" is one
mention of 独居老人 and not also one of 老人.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from nlu.types import Entity, EntityKind

TARGET_GROUPS_YML = Path(__file__).resolve().parent / "data" / "target_groups.yml"


class TargetGroupSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = Field(min_length=1)


class TargetGroupFile(BaseModel):
    """Schema of data/target_groups.yml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    groups: tuple[TargetGroupSpec, ...] = Field(min_length=1)
    blockers: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _aliases_unique(self) -> TargetGroupFile:
        seen: dict[str, str] = {}
        for group in self.groups:
            for alias in (group.name, *group.aliases):
                owner = seen.setdefault(alias, group.id)
                if owner != group.id:
                    raise ValueError(f"alias {alias!r} is in both {owner} and {group.id}")
        clash = set(self.blockers) & set(seen)
        if clash:
            raise ValueError(f"blockers are also aliases: {sorted(clash)}")
        if len({g.id for g in self.groups}) != len(self.groups):
            raise ValueError("group ids must be unique")
        return self


@dataclass(frozen=True, slots=True)
class TargetGroup:
    id: str
    name: str


class TargetGroupMatcher:
    """Longest-first, non-overlapping alias matching."""

    def __init__(self, spec: TargetGroupFile) -> None:
        self.groups: tuple[TargetGroup, ...] = tuple(TargetGroup(g.id, g.name) for g in spec.groups)
        # None marks a blocker: its span is consumed and nothing is reported.
        self._aliases: dict[str, TargetGroup | None] = {b: None for b in spec.blockers}
        for group, g in zip(self.groups, spec.groups, strict=True):
            for alias in (g.name, *g.aliases):
                self._aliases[alias] = group
        # Aliases of one character would match inside too many words; index the rest by their first two.
        short = [a for a in self._aliases if len(a) < 2]
        if short:
            raise ValueError(f"aliases need at least two characters: {short}")
        by_head: dict[str, set[int]] = defaultdict(set)
        for alias in self._aliases:
            by_head[alias[:2]].add(len(alias))
        self._lengths = {head: tuple(sorted(n, reverse=True)) for head, n in by_head.items()}

    def find(self, text: str) -> tuple[Entity, ...]:
        """value = canonical Chinese name ("老年人"), detail = group id ("elderly")."""
        candidates: list[tuple[int, int]] = []
        for i in range(len(text) - 1):
            for length in self._lengths.get(text[i : i + 2], ()):
                if i + length <= len(text) and text[i : i + length] in self._aliases:
                    candidates.append((i, i + length))
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        found: list[Entity] = []
        for start, end in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            group = self._aliases[text[start:end]]
            if group is not None:
                found.append(
                    Entity(EntityKind.TARGET_GROUP, group.name, text[start:end], start, end, 1.0, group.id)
                )
        found.sort(key=lambda e: e.start)
        return tuple(found)


def read_target_groups(path: Path = TARGET_GROUPS_YML) -> TargetGroupFile:
    return TargetGroupFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def load_target_groups() -> TargetGroupMatcher:
    """The matcher over data/target_groups.yml, built once per process."""
    return TargetGroupMatcher(read_target_groups())


def find_target_groups(text: str) -> tuple[Entity, ...]:
    """Target groups named in `text`, in order (see `TargetGroupMatcher.find`)."""
    return load_target_groups().find(text) if text else ()
