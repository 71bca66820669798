"""The retention schedule in config.yaml: read as written, and a wrong one refused naming the
line, the key and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import ConfigError
from escalation_engine.settings.config import load_settings

ROOT = Path(__file__).resolve().parents[3]


def _config(tmp_path: Path, retention: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text() + retention)
    return config


def test_a_schedule_is_read_as_written(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, (
        "retention:\n  years_after_closure: 25\n  workflows: {professional_concern: 7}\n"
        "  categories: {safeguarding: 75}\n"
    )))  # fmt: skip
    schedule = settings.retention
    assert (schedule.years, schedule.workflows, schedule.categories) == (
        25,
        {"professional_concern": 7},
        {"safeguarding": 75},
    )
    assert schedule.years_for("professional_concern", "placement") == 25
    assert schedule.years_for("dispute_resolution", "safeguarding") == 75
    assert not load_settings(ROOT / "config.yaml").retention.set  # the template sets none


@pytest.mark.parametrize(
    ("retention", "named"),
    [
        ("retention:\n  years_after_closure: 0\n", "retention.years_after_closure: must be a whole number from 1 to 100"),
        ("retention:\n  categories: {safeguardng: 7}\n", "retention.categories.safeguardng: is not one of the categories"),
        ("retention:\n  workflows: {dispute_resolution: forever}\n", "retention.workflows.dispute_resolution: must be a whole number"),
        ("retention:\n  years: 7\n", "years"),
        ("retention: 7\n", "retention: must be a mapping"),
    ],
)  # fmt: skip
def test_a_wrong_schedule_is_refused_naming_the_key(
    tmp_path: Path, retention: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named.replace("(", r"\(")):
        load_settings(_config(tmp_path, retention))
