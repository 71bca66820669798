"""A second file giving an existing workflow's name stops new alerts under that name, saying
which files clash, and the escalations already running under it go on with their version."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import WorkflowNotFound
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from tests.support.scenarios import practice_alert


def test_a_clashing_name_stops_raising_and_what_runs_keeps_its_version(
    project: Path, settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    running = practice_alert(EscalationService(settings, engine, clock)).reference
    original = project / "workflows" / "dispute_resolution.yaml"
    (project / "workflows" / "draft.yaml").write_text(original.read_text())
    service = EscalationService(settings, engine, clock)  # reads the folder afresh
    with pytest.raises(
        WorkflowNotFound, match="dispute_resolution.yaml and .*draft.yaml both give that name"
    ):
        practice_alert(service)
    assert service.act(running, "jo", "respond", note="Meeting booked.").status == "responded"
