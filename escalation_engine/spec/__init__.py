"""Workflow definitions: the typed spec, the YAML loader and the checks that validate it."""

from __future__ import annotations

from escalation_engine.spec.loader import (
    WorkflowFolder,
    load_workflow,
    load_workflow_text,
    load_workflows_dir,
    read_workflows_dir,
)
from escalation_engine.spec.model import (
    OUTCOMES,
    AlertType,
    StageSpec,
    Timescale,
    WorkflowSpec,
)

__all__ = [
    "OUTCOMES",
    "AlertType",
    "StageSpec",
    "Timescale",
    "WorkflowFolder",
    "WorkflowSpec",
    "load_workflow",
    "load_workflow_text",
    "load_workflows_dir",
    "read_workflows_dir",
]
