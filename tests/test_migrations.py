"""Migrations bring any database to the current schema without losing data, and the schema they
build is exactly the one the code expects."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert
from sqlmodel import SQLModel

from escalation_engine import audit, migrate
from escalation_engine.clock import FakeClock
from escalation_engine.config import Settings
from escalation_engine.escalation import Escalation
from escalation_engine.service import EscalationService
from escalation_engine.store import (
    SCHEMA_HEAD,
    EscalationRow,
    make_engine,
    next_reference,
    row_values,
    tallies,
    unit_of_work,
)

from .conftest import MONDAY
from .test_cli import run
from .test_direct_mode import NOW, RAISE, _site


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
            service.keeper.enter(spec, escalation, MONDAY)
            entry = audit.append(
                session, reference=escalation.reference, at=MONDAY, actor="aisha", actor_kind="person",
                action="raise", from_stage=None, to_stage="team_manager", note="Old",
            )  # fmt: skip
            session.execute(
                insert(EscalationRow.__table__),  # type: ignore[attr-defined]
                row_values(escalation) | {"audit_head": entry.hash},
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


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()


def test_the_head_commands_check_against_is_the_newest_migration() -> None:
    # Commands compare a database with SCHEMA_HEAD without loading Alembic; a new migration that
    # forgot to move it would let them run on a database one migration behind.
    assert migrate.head() == SCHEMA_HEAD


def test_upgrading_a_database_from_before_seals_seals_both_chains_with_the_key(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path, "--training")
    assert run(site, *RAISE, user="aisha", now=NOW).returncode == 0
    assert run(site, "show", "ESC-2026-0001", user="jo", now=NOW).returncode == 0  # a look
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TABLE chain_seal")  # as revision 0010 left it
        db.execute("DROP TABLE legacy_import")
        db.execute("DROP TABLE report_tally")
        db.execute("DROP TABLE report_mark")
        db.execute("DROP TABLE watch")
        db.execute("DROP INDEX ix_escalation_closed_at")
        db.execute("DROP INDEX ix_escalation_raised_open")
        db.execute("UPDATE alembic_version SET version_num = '0010'")
    upgraded = run(site, "db", "upgrade", user=None)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Sealed audit at its end" in upgraded.stdout
    assert "Sealed access at its end" in upgraded.stdout
    assert run(site, "audit", "verify", user=None).returncode == 0
    with closing(sqlite3.connect(site / "escalations.db")) as db:  # watches, from the trail
        watching = db.execute("SELECT username, reference, why FROM watch ORDER BY id").fetchall()
    assert watching == [("priya", "ESC-2026-0001", "watchers"), ("sam", "ESC-2026-0001", "copy")]
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TRIGGER access_entry_no_delete")  # as a writer without the key may
        db.execute("DELETE FROM access_entry")
    cut = run(site, "audit", "verify", user=None)
    assert cut.returncode == 1
    assert "the access log ends at entry 0, but its seal says it ended at entry 1" in cut.stderr
