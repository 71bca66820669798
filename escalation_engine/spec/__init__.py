"""Workflow definitions: the typed spec, the YAML loader and the checks that validate it.

The loader (with the YAML parser and every check) is imported on first use, not with the
package: the model is needed by every command, the loader only by those that read workflows,
and a client command talking to a server reads none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escalation_engine.spec.model import (
    OUTCOMES,
    AlertType,
    StageSpec,
    Timescale,
    WorkflowSpec,
)

if TYPE_CHECKING:
    from escalation_engine.spec.loader import (
        WorkflowFolder,
        load_workflow,
        load_workflow_text,
        load_workflows_dir,
        read_workflows_dir,
    )

_LOADER = frozenset(
    {"WorkflowFolder", "load_workflow", "load_workflow_text", "load_workflows_dir",
     "read_workflows_dir"}
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LOADER:
        from escalation_engine.spec import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
