"""A report reads the escalations of the years it covers, and those open or closed since, by
index: never every escalation ever raised, so a council's growing history does not slow the
annual report. SQLite keeps no statistics, so its plans are checked here, as it makes them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from escalation_engine.store import create_schema, make_engine, reporting

SINCE, END = datetime(2024, 3, 31, 23, tzinfo=UTC), datetime(2026, 3, 31, 23, tzinfo=UTC)


def _plans(url: str, read: Any) -> list[str]:
    """How SQLite means to run each statement ``read`` runs, step by step."""
    engine = make_engine(url)
    create_schema(engine)
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        found = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        plans.extend(row[3] for row in found.fetchall())

    event.listen(engine, "before_cursor_execute", explain)
    try:
        list(read(engine))
    finally:
        event.remove(engine, "before_cursor_execute", explain)
        engine.dispose()
    return plans


def test_the_reports_reads_find_their_escalations_by_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/report.db"
    for read in (
        lambda engine: reporting.escalations(engine, SINCE, END),
        lambda engine: reporting.escalations(engine, SINCE, END, alike=True),
        lambda engine: reporting.children(engine, SINCE, END),
    ):
        plans = _plans(url, read)
        assert plans
        assert not [step for step in plans if step.startswith("SCAN escalation")], plans
        assert [step for step in plans if "ix_escalation_raised_at" in step], plans
