"""The declared workflow and labels: validated at load, consistent with the case store and the forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.case_store import STATUSES
from bot.console.labels import labels, load_labels
from bot.console.workflow import load_workflow, workflow
from bot.errors import ConfigError
from dialogs.forms.help_request import NEED_TYPES
from dialogs.forms.volunteer_signup import AVAILABILITY, SERVICE_AREAS, SKILLS
from dialogs.texts import KIND_LABELS
from nlu.crisis import load_crisis_spec


def test_the_workflow_covers_every_status() -> None:
    flow = workflow()
    assert tuple(flow.statuses) == STATUSES
    assert flow.open_statuses == ("new", "acknowledged", "in_progress")


@pytest.mark.parametrize(
    ("status", "role", "targets"),
    [
        ("new", "staff", ("acknowledged", "in_progress", "resolved", "closed", "rejected")),
        ("in_progress", "staff", ("resolved", "closed", "rejected")),
        ("closed", "staff", ()),
        ("closed", "supervisor", ("in_progress",)),
        ("resolved", "supervisor", ("closed", "in_progress")),
        ("unknown", "supervisor", ()),
    ],
)
def test_targets(status: str, role: str, targets: tuple[str, ...]) -> None:
    assert workflow().targets(status, role=role) == targets


@pytest.mark.parametrize(
    "bad",
    [
        "reopen_roles: [supervisor]\nstatuses:\n  new: {label: 新}\n",  # statuses missing
        "reopen_roles: [supervisor]\nstatuses:\n"
        + "".join(f"  {s}: {{label: x, next: [nowhere]}}\n" for s in STATUSES),
        "reopen_roles: [supervisor]\nstatuses:\n"
        + "".join(f"  {s}: {{label: x, reopen: [new]}}\n" for s in STATUSES),  # reopening an open case
        "statuses: {}\nextra: 1\n",
    ],
)
def test_a_broken_workflow_file_is_refused_at_load(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "workflow.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_workflow(path)


def test_a_broken_labels_file_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "labels.yml"
    path.write_text("kinds: {help: 求助}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_labels(path)


def test_every_code_the_assistant_stores_has_a_label() -> None:
    names = labels()
    assert set(names.kinds) == set(KIND_LABELS)
    for code in (*(code for _, code in NEED_TYPES), "crisis", "handoff", "volunteer"):
        assert names.need(code) != code, code
    assert all(names.skills(code) != code for _, code in SKILLS)
    assert all(names.availability(code) != code for _, code in AVAILABILITY)
    assert all(names.areas(code) != code for _, code in SERVICE_AREAS)
    assert set(load_crisis_spec().kinds) <= set(names.signals)
