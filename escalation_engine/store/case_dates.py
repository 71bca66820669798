"""Per-case retention dates imported from the case-record system: written by an import (each
replacing what was held for its cases), read whole by the retention plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select

from escalation_engine.store.engine import Reader, reading
from escalation_engine.store.tables import CaseDateRow

_TABLE = CaseDateRow.__table__  # type: ignore[attr-defined]
#: Cases replaced per statement (a bound on the parameters one statement carries).
_BATCH = 1_000


def replace(
    session: Connection, dates: dict[str, date], at: datetime, by: str, digest: str
) -> None:
    """Hold ``dates`` (case reference: keep until) in place of what was held for those cases."""
    cases = sorted(dates)
    for first in range(0, len(cases), _BATCH):
        batch = cases[first : first + _BATCH]
        session.execute(delete(_TABLE).where(_TABLE.c.case_ref.in_(batch)))
        session.execute(insert(_TABLE), [
            {"case_ref": case, "keep_until": dates[case], "imported_at": at, "imported_by": by,
             "file_digest": digest} for case in batch
        ])  # fmt: skip


def held(engine: Reader) -> dict[str, date]:
    """Every case's date, by case reference."""
    with reading(engine) as connection:
        query = select(_TABLE.c.case_ref, _TABLE.c.keep_until)
        return {row.case_ref: row.keep_until for row in connection.execute(query)}
