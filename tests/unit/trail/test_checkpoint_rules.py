"""Checkpoints: when one falls due, and a file that is not one, named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalation_engine.errors import InvalidInput
from escalation_engine.trail import checkpoints

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _point(seq: int, at: datetime = AT) -> checkpoints.Checkpoint:
    return checkpoints.Checkpoint(seq=seq, head="h", count=seq, at=at)


@pytest.mark.parametrize(
    ("previous", "seq", "now", "due"),
    [
        (None, 0, AT, False),  # nothing to anchor yet
        (None, 1, AT, True),
        (_point(5), 9, AT + timedelta(hours=1), False),
        (_point(5), 10, AT + timedelta(hours=1), True),  # every 5 entries
        (_point(5), 5, AT + timedelta(hours=23), False),
        (_point(5), 5, AT + timedelta(days=1), True),  # at least daily, even with nothing new
    ],
)
def test_a_checkpoint_falls_due_every_so_many_entries_and_daily(
    previous: checkpoints.Checkpoint | None, seq: int, now: datetime, due: bool
) -> None:
    assert checkpoints.due(previous, seq, 5, now) is due


def test_a_file_that_is_not_a_checkpoint_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "checkpoint-000000000001-x.json"
    bad.write_text("{not json")
    with pytest.raises(InvalidInput, match="is not a checkpoint file"):
        checkpoints.read(bad)
