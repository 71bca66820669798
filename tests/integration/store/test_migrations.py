"""Migrations bring any database to the current schema without losing data, and the schema they
build is exactly the one the code expects."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlmodel import SQLModel

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
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
from tests.support.scenarios import practice_alert
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
