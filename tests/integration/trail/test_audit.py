"""The audit trail refuses changes and finds any made behind the engine's back."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from escalation_engine import store
from escalation_engine.service import EscalationService
from escalation_engine.service.anchoring import Watch
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert


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
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_replace")
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


def test_sqlite_refuses_rewriting_an_entry_with_insert_or_replace(
    engine: Engine, trail: str
) -> None:
    if engine.dialect.name != "sqlite":
        statement = (
            "INSERT INTO audit_entry SELECT * FROM audit_entry WHERE seq = 2"
            " ON CONFLICT (seq) DO UPDATE SET note = 'Never mind'"
        )
    else:
        statement = (
            "INSERT OR REPLACE INTO audit_entry (seq, schema_version, reference, at, actor,"
            " actor_kind, action, from_stage, to_stage, note, data, prev_hash, hash)"
            " SELECT seq, schema_version, reference, at, actor, actor_kind, action, from_stage,"
            " to_stage, 'Never mind', data, prev_hash, hash FROM audit_entry WHERE seq = 2"
        )
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


def test_verify_from_a_checkpoint_checks_only_the_entries_after_it(
    engine: Engine, trail: str
) -> None:
    _tamper(engine, "UPDATE audit_entry SET note = 'rewritten' WHERE seq = 1")
    assert not audit.verify(engine).ok
    # Entry 1 lies before the checkpoint: its successors still follow its stored hash.
    report = audit.verify(engine, since=1)
    assert report.ok, report.problem
    assert (report.entries, report.since) == (3, 1)
    _tamper(engine, "UPDATE audit_entry SET note = 'rewritten' WHERE seq = 3")
    broken = audit.verify(engine, since=1)
    assert (broken.ok, broken.first_bad_seq) == (False, 3)


def test_verify_from_a_checkpoint_that_does_not_exist_says_so(engine: Engine, trail: str) -> None:
    report = audit.verify(engine, since=99)
    assert not report.ok
    assert "no entry 99" in (report.problem or "")


def test_entries_written_before_canonical_data_still_verify(engine: Engine, trail: str) -> None:
    # Schema version 1 stored data with spaces and escaped non-ASCII; its hash covered the body
    # with the data parsed, written as canonical JSON. Verify must rebuild exactly that.
    entry = audit.entries(engine)[-1]
    old = SimpleNamespace(
        **{name: getattr(entry, name) for name in type(entry).model_fields}
        | {"schema_version": 1, "data": '{"b": [1, 2], "a": "\\u00e9"}'}
    )
    body = audit.body(old)  # type: ignore[arg-type]
    assert body["data"] == {"a": "é", "b": [1, 2]}
    written_then = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert audit.entry_hash(old) == hashlib.sha256(written_then.encode()).hexdigest()


def test_progress_is_reported_while_verifying(engine: Engine, service: EscalationService) -> None:
    for n in range(12):
        practice_alert(service, case_refs=[f"CLA-3000{n:02d}"])
    seen: list[int] = []
    report = audit.verify(engine, progress=seen.append, every=5)
    assert report.ok
    assert seen == [5, 10]


def test_a_whole_verify_says_how_far_it_has_got_entry_by_entry_then_part_by_part(
    engine: Engine, service: EscalationService
) -> None:
    for n in range(6):
        practice_alert(service, case_refs=[f"CLA-3100{n:02d}"])
    counted: list[int] = []
    parts: list[str] = []
    report = service.verify_all(watch=Watch(counted.append, parts.append, every=1))
    assert report.ok, report.problem
    assert counted == list(range(1, len(audit.entries(engine)) + 1))  # it moves, never stuck
    assert parts == ["Checking the access log", "Checking every notice owed",
                     "Replaying every escalation", "Checking the report's counts"]  # fmt: skip


def test_every_hash_covers_the_canonical_body_whatever_the_text(
    engine: Engine, service: EscalationService
) -> None:
    esc = practice_alert(service, summary='Plan for Zoë: "drift" \\ since 1 May 🙁\tagain')
    service.act(esc.reference, "jo", "respond", note="Réunion booked\nfor Tuesday")
    for entry in store.stream_entries(engine):  # as stored: the hash covers the digests
        text = json.dumps(
            audit.body(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert entry.hash == hashlib.sha256(text.encode()).hexdigest(), entry.seq
    notes = [entry.note for entry in audit.entries(engine)]
    assert notes[0] == 'Plan for Zoë: "drift" \\ since 1 May 🙁\tagain'
    assert notes[-1] == "Réunion booked\nfor Tuesday"
