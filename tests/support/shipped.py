"""The shipped service as plain data, for tests that need no database: config.yaml's people,
calendar and categories, the shipped workflows, and escalations built as the engine would hold
them."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.domain.stages import StageKeeper
from escalation_engine.settings.config import Settings, load_settings
from escalation_engine.spec.loader import load_workflow, load_workflows_dir
from escalation_engine.spec.model import WorkflowSpec

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
#: Monday 5 January 2026, 09:00 in London: a plain working week with no holidays nearby.
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)


@functools.cache
def settings() -> Settings:
    """config.yaml as shipped (read only: no database is opened)."""
    return load_settings(ROOT / "config.yaml")


@functools.cache
def workflows() -> dict[str, WorkflowSpec]:
    return load_workflows_dir(ROOT / "workflows")


def workflow(name: str) -> WorkflowSpec:
    return workflows()[name]


def example(name: str) -> WorkflowSpec:
    """One of the example workflows (``examples/workflows/NAME.yaml``)."""
    return load_workflow(ROOT / "examples" / "workflows" / f"{name}.yaml")


def calendar() -> WorkingCalendar:
    return settings().calendar


def people(**changes: dict[str, Any]) -> dict[str, Person]:
    """The shipped people, with ``changes`` made to some (``jo={"away": True}``)."""
    listed = dict(settings().people)
    for username, change in changes.items():
        listed[username] = replace(listed[username], **change)
    return listed


def escalation(
    spec: WorkflowSpec,
    *,
    stage: str | None = None,
    at: datetime = MONDAY,
    raised_by: str = "aisha",
    team: str = "north",
    alert_type: str | None = None,
    **fields: Any,
) -> Escalation:
    """A new escalation at ``stage`` (its alert type's entry stage by default), not yet entered."""
    kind = spec.alert_type(alert_type) if alert_type else spec.alert_types[0]
    return Escalation(
        reference="ESC-2026-0001", workflow=spec.name, workflow_digest=spec.digest,
        alert_type=kind.name, category="drift_and_delay", case_refs=("CLA-100234",),
        summary="No permanence plan", team=team, looked_after=True, raised_by=raised_by,
        raised_at=at, stage=stage or kind.enters_at or spec.stage_names[0], **fields,
    )  # fmt: skip


def entered(
    spec: WorkflowSpec,
    *,
    people: dict[str, Person] | None = None,
    at: datetime = MONDAY,
    **fields: Any,
) -> tuple[Escalation, StageKeeper]:
    """An escalation that has just entered its stage at ``at`` (deadline, reminder, routing set),
    and the keeper that entered it."""
    keeper = StageKeeper(calendar(), people if people is not None else settings().people)
    esc = escalation(spec, at=at, **fields)
    keeper.enter(spec, esc, at)
    return esc, keeper
