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
     "report", "import", "dashboard", "handle"],
)  # fmt: skip
def test_every_help_shows_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "Example" in result.output


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import typer.main

    click_group = typer.main.get_command(app) if not prefix else group
    found = []
    for name, command in getattr(click_group, "commands", {}).items():
        found.append((*prefix, name))
        found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(app))
def test_no_help_shows_a_python_type_or_a_braced_placeholder(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage  # REFERENCE, not {reference}
    for python in ("<str>", "<int>", "<path>", "<bool>", "INTEGER"):
        assert python not in result.output, (command, python)
