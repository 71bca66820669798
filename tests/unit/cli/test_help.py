"""Every command's help shows an example to copy."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from escalation_engine.cli import app


@pytest.mark.parametrize(
    "command",
    ["raise", "list", "show", "respond", "accept", "reject", "escalate", "bypass", "extend", "withdraw",
     "supersede", "refer-cafcass", "reopen", "rate", "audit", "tick", "init", "demo", "run", "status",
     "workflows list", "workflows validate", "workflows show", "workflows schema", "calendar due",
     "db upgrade", "db current", "reallocate", "not-looked-after", "away", "back", "meeting",
     "report", "import"],
)  # fmt: skip
def test_every_help_shows_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "Example" in result.output
