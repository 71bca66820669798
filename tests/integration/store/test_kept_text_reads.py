"""Entries read together get their kept text back with one query that names them: never one
query an entry, and never the text of every entry between the first and the last (a page of
search results can hold entries a million apart)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, select

from escalation_engine.service import EscalationService
from escalation_engine.store import AuditRow, texts
from tests.support.scenarios import practice_alert


def test_entries_far_apart_are_opened_with_one_query_for_their_text_alone(
    service: EscalationService, engine: Engine
) -> None:
    for n in range(6):
        esc = practice_alert(service, case_refs=[f"CLA-40000{n}"])
        service.act(esc.reference, "jo", "respond", note=f"Meeting {n} booked for Zoë.")
    table = AuditRow.__table__  # type: ignore[attr-defined]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with engine.connect() as connection:
        rows = list(connection.execute(select(table).where(table.c.seq.in_([2, 12]))))
        event.listen(engine, "before_cursor_execute", seen)
        try:
            found = texts.texts_of(connection, [2, 12])
            opened = texts.open_all(connection, rows)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert set(found) == {2, 12}  # nothing of entries 3 to 11
    assert [row.note for row in opened] == [
        "Meeting 0 booked for Zoë.",
        "Meeting 5 booked for Zoë.",
    ]
    assert len([s for s in statements if "entry_text" in s]) == 2  # one each call, not one a row
