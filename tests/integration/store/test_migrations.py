"""Migrations bring any database to the current schema without losing data, and the schema they
build is exactly the one the code expects."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlmodel import SQLModel

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.errors import InvalidInput
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.store import (
    EscalationRow,
    make_engine,
    migrate,
    next_reference,
    row_values,
    tallies,
    unit_of_work,
)
from escalation_engine.trail import audit
from tests.support.databases import fingerprint, schema
from tests.support.older import append_v2
from tests.support.scenarios import practice_alert, signed
from tests.support.shipped import MONDAY


def test_migrations_build_exactly_the_schema_the_code_expects(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert migrate.current(engine) == migrate.head()


def test_a_database_at_the_first_migration_with_data_upgrades_to_head_intact(
    settings: Settings, clock: FakeClock
) -> None:
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine, "0001")
        service = EscalationService(settings, engine, clock)
        spec = service.workflow("dispute_resolution")
        # Written as the first release wrote it: an escalation and its audit entry, no outbox.
        with unit_of_work(engine) as session:
            service.registry.remember(session, spec, MONDAY)
            escalation = Escalation(
                reference=next_reference(session, 2026), workflow=spec.name, workflow_digest=spec.digest,
                alert_type="practice_alert", category="placement", case_refs=("CLA-700001",), summary="Old",
                team="north", looked_after=True, raised_by="aisha", raised_at=MONDAY, stage="team_manager",
            )  # fmt: skip
            service.ctx.keeper.enter(spec, escalation, MONDAY)
            entry = append_v2(
                session, reference=escalation.reference, at=MONDAY, actor="aisha", action="raise",
                from_stage=None, to_stage="team_manager", note="Old",
            )  # fmt: skip
            first = {column["name"] for column in inspect(session).get_columns("escalation")}
            session.execute(
                insert(EscalationRow.__table__),  # type: ignore[attr-defined]
                {name: value for name, value in row_values(escalation).items() if name in first}
                | {"audit_head": entry.hash},  # only the columns the first release had
            )
        assert migrate.current(engine) == "0001"
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        old = service.get("ESC-2026-0001")
        assert old.stage == "team_manager"
        assert old.stage_due_at == escalation.stage_due_at
        assert audit.verify(engine).ok
        clock.advance(days=8)
        service.tick()
        assert service.get("ESC-2026-0001").stage == "service_manager"
        assert service.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=["CLA-700002"], category="placement", summary="New",
        ).reference == "ESC-2026-0002"  # fmt: skip
        assert audit.verify(engine).ok
        # The report's counts, built from the old trail by the migration, then kept as written.
        assert tallies.disagreement(engine) is None
        assert tallies.counts(engine, MONDAY.date(), MONDAY.date(), date(2027, 1, 1)) != []
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(service: EscalationService, engine: Engine) -> None:
    practice_alert(service)  # the trail, its seal, the counts and the watchers all hold rows
    before = (schema(engine), fingerprint(engine))
    assert before[0]["triggers"]  # the append-only guards are there to be compared
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert (schema(engine), fingerprint(engine)) == before


def test_a_database_of_the_previous_release_upgrades_with_its_signed_chain_verifying(
    settings: Settings, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real data written as the release before personal text was kept apart wrote it (signed,
    sealed, notes inside their entries), checkpointed, upgraded: the checkpoint and the whole
    trail verify after, old entries keep their form, new ones keep their text apart."""
    keyed = signed(settings, tmp_path / "keys")
    engine = make_engine(keyed.database_url)
    try:
        migrate.upgrade(engine, "0025")
        monkeypatch.setattr(audit, "SCHEMA_VERSION", 2)  # the previous release's entries
        service = EscalationService(keyed, engine, clock)
        old = practice_alert(service).reference
        service.act(old, "jo", "respond", note="Social worker allocated.")
        service.act(old, "aisha", "accept", note="Satisfied.")
        service.view(old, "priya", "show")
        service.anchoring.checkpoint(tmp_path / "checkpoints")
        monkeypatch.undo()
        migrate.upgrade(engine)
        report = service.verify_all(folder=tmp_path / "checkpoints")
        assert report.ok, report.problem
        assert report.checkpoints is not None
        assert report.checkpoints.checked == 1
        assert report.chain.committed_from is None
        new = practice_alert(service, case_refs=["CLA-700002"]).reference
        report = service.verify_all(folder=tmp_path / "checkpoints")
        assert report.ok, report.problem
        assert report.chain.committed_from == 4
        assert [row.note for row in service.trail(old)] == [
            "No permanence plan four months after the second review.",
            "Social worker allocated.",
            "Satisfied.",
        ]
        with pytest.raises(InvalidInput, match="schema version 2; entries from 4 on"):
            service.redacting.redact("dana", old, 2, "note", "Names a worker")
        service.redacting.redact("dana", new, 4, "note", "Names a parent")
        assert service.verify_all(folder=tmp_path / "checkpoints").ok
    finally:
        engine.dispose()
