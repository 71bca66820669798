"""The audit trail refuses changes and finds any made behind the engine's back."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from escalation_engine import audit
from escalation_engine.service import EscalationService

from .test_service import practice_alert


@pytest.fixture
def trail(service: EscalationService) -> str:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    service.act(esc.reference, "aisha", "accept", note="Satisfied.")
    practice_alert(service, case_refs=["CLA-200001"])
    return esc.reference


def _tamper(engine: Engine, *statements: str) -> None:
    """Change the trail behind the engine's back, as someone with the database's owner rights
    could: switch off the append-only guards, then edit."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_an_untouched_trail_verifies(engine: Engine, trail: str) -> None:
    report = audit.verify(engine)
    assert report.ok
    assert report.entries == 4


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entry SET note = 'x' WHERE seq = 1", "DELETE FROM audit_entry WHERE seq = 2"],
    ids=["update", "delete"],
)
def test_the_database_refuses_update_and_delete(engine: Engine, trail: str, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert audit.verify(engine).ok


def test_an_edit_is_found_and_the_entry_named(engine: Engine, trail: str) -> None:
    _tamper(engine, "UPDATE audit_entry SET note = 'Never mind' WHERE seq = 2")
    report = audit.verify(engine)
    assert not report.ok
    assert report.first_bad_seq == 2
    assert "entry 2" in (report.problem or "")
    assert "altered" in (report.problem or "")


def test_a_deletion_in_the_middle_is_found(engine: Engine, trail: str) -> None:
    _tamper(engine, "DELETE FROM audit_entry WHERE seq = 2")
    report = audit.verify(engine)
    assert not report.ok
    assert report.problem == "entry 2 is missing (deleted)"


def test_a_deletion_at_the_end_is_found(engine: Engine, trail: str) -> None:
    _tamper(engine, "DELETE FROM audit_entry WHERE seq = 4")
    report = audit.verify(engine)
    assert not report.ok
    assert "ESC-2026-0002" in (report.problem or "")


def test_an_insertion_is_found(engine: Engine, trail: str) -> None:
    _tamper(
        engine,
        "UPDATE audit_entry SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_entry SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO audit_entry (seq, schema_version, reference, at, actor, actor_kind, action, note, data, prev_hash, hash)"
        " SELECT 3, 1, reference, at, 'mallory', 'person', 'accept', '', '{}', hash, 'forged' FROM audit_entry WHERE seq = 2",
    )
    report = audit.verify(engine)
    assert not report.ok
    assert report.first_bad_seq == 3
