"""Separation of duties naming a role the workflow does not know is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import DefinitionError
from escalation_engine.spec.loader import load_workflow_text


def test_separation_naming_an_unknown_role_is_refused(project: Path) -> None:
    text = (project / "workflows" / "dispute_resolution.yaml").read_text()
    with pytest.raises(DefinitionError, match="separation.others_alerts"):
        load_workflow_text(text + "\nseparation:\n  others_alerts: [qa_lead]\n")
    with pytest.raises(DefinitionError, match="separation"):
        load_workflow_text(text + "\nseparation:\n  raiser_only_as_raiser: sometimes\n")
