"""``/health`` answers from one look at the status while it is fresh: probes every second
cost one look every few seconds, and a clock set back never keeps an old answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalation_engine.app.health import Answers

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_probes_within_the_fresh_spell_share_one_look_and_then_look_again() -> None:
    looks: list[int] = []

    def look() -> dict[str, int]:
        looks.append(1)
        return {"deadlines_lagging": len(looks)}

    answers = Answers(timedelta(seconds=10))
    for second in range(10):
        assert answers.problems(NOON + timedelta(seconds=second), look) == {"deadlines_lagging": 1}
    assert len(looks) == 1
    assert answers.problems(NOON + timedelta(seconds=10), look) == {"deadlines_lagging": 2}
    assert answers.problems(NOON - timedelta(seconds=1), look) == {"deadlines_lagging": 3}
    assert len(looks) == 3
