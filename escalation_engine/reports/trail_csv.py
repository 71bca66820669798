"""The trail across escalations as CSV: its columns, and each entry as a row whose cells a
spreadsheet will not run as formulas. ``escalate audit --format csv`` and the desk's download
write the same file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from escalation_engine.reports.cells import inert

COLUMNS = (
    "seq", "at", "reference", "case_refs", "team", "category", "workflow", "version",
    "alert_type", "actor", "actor_name", "actor_kind", "action", "from_stage", "to_stage", "note",
    "outcome", "hash",
)  # fmt: skip


def _cell(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return inert(text)


def rows(entries: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """The heading, then a row for each entry of the trail read model."""
    yield list(COLUMNS)
    for item in entries:
        row = item | {"actor_name": item["shown"]["who"]}
        yield [_cell(row[name]) for name in COLUMNS]
