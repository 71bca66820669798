"""The oversight page says what to do about a problem in words, where the terminal names the
command: nobody types commands on the desk."""

from __future__ import annotations

from typing import Any

from escalation_engine.app.oversight import status_lines, verify_lines

TROUBLED: dict[str, Any] = {
    "worker": None, "worker_alive": False, "sweeps_failing_since": None, "sweep_error": None,
    "broken_workflow_files": {"workflows/bad.yaml": "stage 'x' is not a stage"},
    "checkpoints_beside_database": True, "newest_checkpoint_at": None,
    "next_deadline": None, "overdue": 0, "notifications_configured": False,
    "undelivered_notifications": 0,
}  # fmt: skip
CHECKED: dict[str, Any] = {
    "access": None, "replay": None, "checkpoints": {"ok": True, "latest": None, "checked": 0},
    "undecided": False, "problem": None, "notices": None, "tallies": None, "since": 0,
    "signed": False, "entries": 3, "head": "ab" * 32, "checkpoint_every": 1000,
}  # fmt: skip
MISCOUNTED = CHECKED | {"tallies": {"ok": False, "problem": "raise counted twice"}}
COMMAND_WORDS = ("escalate ", "config.yaml", "audit.")


def _said(lines: list[tuple[bool, str]]) -> str:
    return " ".join(text for _, text in lines)


def test_the_terminal_names_the_command_and_the_desk_says_who_does_it() -> None:
    for lines in (status_lines, verify_lines):
        reports = [TROUBLED] if lines is status_lines else [CHECKED, MISCOUNTED]
        for report in reports:
            terminal, desk = _said(lines(report)), _said(lines(report, desk=True))
            assert any(word in terminal for word in COMMAND_WORDS), terminal
            assert not [word for word in COMMAND_WORDS if word in desk], desk
            assert "administrator" in desk or "no signing key" in desk
