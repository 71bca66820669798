"""Keys said as people write them: Cafcass keeps its capital, and a title starting a line keeps
the capitals inside it."""

from __future__ import annotations

from escalation_engine.domain.labels import humanize, upper_first


def test_a_key_is_said_with_the_capitals_people_write() -> None:
    assert humanize("referred_to_cafcass") == "referred to Cafcass"
    assert humanize("team_manager") == "team manager"


def test_a_line_starts_with_a_capital_and_keeps_the_rest() -> None:
    assert upper_first(humanize("referred_to_cafcass")) == "Referred to Cafcass"
    assert upper_first("") == ""
