"""A stage's scope is the child's team or the whole service; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import DefinitionError
from escalation_engine.spec.loader import load_workflow_text


def test_an_unknown_scope_is_refused(project: Path) -> None:
    text = (project / "workflows" / "dispute_resolution.yaml").read_text()
    bad = text.replace("    stand_in: [duty_manager]\n", "    scope: council\n", 1)
    with pytest.raises(DefinitionError, match="scope: 'council': must be team"):
        load_workflow_text(bad)
