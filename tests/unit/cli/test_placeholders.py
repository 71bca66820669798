"""Help shows placeholders people understand, not Python types."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from escalation_engine.cli import app


def test_help_shows_placeholders_not_python_types() -> None:
    for command in (["raise"], ["list"], ["respond"], ["calendar", "due"], ["status"], []):
        result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0
        assert not re.search(r"<(str|bool|int|list\[str\]|path)>", result.output), result.output
