"""Backups on both databases: a copy taken while the service holds escalations comes back whole
into an empty database and verifies against the checkpoint taken with it; a copy opened with the
wrong key, cut short, of the other kind of database, or put into a database that holds tables is
refused and nothing is written."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import InvalidInput
from escalation_engine.service import EscalationService
from escalation_engine.service.backups import backup, restore
from escalation_engine.settings.config import Settings
from escalation_engine.store import copies, make_engine
from escalation_engine.trail import redaction_log
from tests.support.databases import database, fingerprint
from tests.support.scenarios import practice_alert, signed

KEY = bytes(range(32))


@pytest.fixture
def taken(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> tuple[EscalationService, Path]:
    """A signed service with escalations, looks and a decision, and its backup."""
    service = EscalationService(signed(settings, tmp_path / "keys"), engine, clock)
    first = practice_alert(service).reference
    service.act(first, "jo", "respond", note="Meeting booked.")
    service.act(first, "aisha", "accept", note="Satisfied.")
    practice_alert(service, case_refs=["CLA-200001"])
    service.view(first, "jo", "show")
    manifest = backup(service.ctx, service.anchoring, tmp_path / "out" / "copy.backup", KEY)
    assert manifest.checkpoint is not None
    assert manifest.entries == 4
    return service, tmp_path / "out" / "copy.backup"


@pytest.fixture
def empty(database_url: str, tmp_path: Path) -> Iterator[str]:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    folder = tmp_path / "restored"
    folder.mkdir()
    with database(kind, folder) as url:
        yield url


def test_a_backup_comes_back_whole_and_verifies_against_its_checkpoint(
    taken: tuple[EscalationService, Path], empty: str, tmp_path: Path, clock: FakeClock
) -> None:
    service, copy = taken
    assert copy.stat().st_mode & 0o777 == 0o600
    assert b"Meeting booked." not in copy.read_bytes()  # encrypted
    restore(empty, copy, KEY, tmp_path / "checkpoints")
    restored = make_engine(empty)
    try:
        assert fingerprint(restored) == fingerprint(service.engine)
        again = EscalationService(dataclasses.replace(service.settings, database_url=empty),
                                  restored, clock)  # fmt: skip
        report = again.verify_all(folder=tmp_path / "checkpoints")
        assert report.ok, report.problem
        assert report.checkpoints is not None
        assert report.checkpoints.checked == 1
    finally:
        restored.dispose()


def test_a_copy_that_cannot_be_used_is_refused_and_nothing_is_written(
    taken: tuple[EscalationService, Path], empty: str, tmp_path: Path
) -> None:
    _, copy = taken
    cut = tmp_path / "cut.backup"
    cut.write_bytes(copy.read_bytes()[:-10])
    for source, key, said in (
        (copy, bytes(32), "made with another key"),
        (cut, KEY, "altered or cut short"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput, match=said):
            restore(empty, source, key, tmp_path / "checkpoints")
        assert copies.is_empty(empty)
    assert not (tmp_path / "checkpoints").exists()


def test_a_database_that_holds_tables_is_never_restored_over(
    taken: tuple[EscalationService, Path], tmp_path: Path
) -> None:
    service, copy = taken
    before = fingerprint(service.engine)
    with pytest.raises(InvalidInput, match="restored only into an empty database"):
        restore(service.settings.database_url, copy, KEY, tmp_path / "checkpoints")
    assert fingerprint(service.engine) == before


def test_a_copy_of_one_kind_of_database_is_not_put_into_the_other(
    taken: tuple[EscalationService, Path], tmp_path: Path
) -> None:
    service, copy = taken
    other = "postgresql" if copies.kind(service.settings.database_url) == "sqlite" else "sqlite"
    folder = tmp_path / "other"
    folder.mkdir()
    with database(other, folder) as url:
        with pytest.raises(InvalidInput, match="restore it into a .* database"):
            restore(url, copy, KEY, tmp_path / "checkpoints")
        assert copies.is_empty(url)


def test_a_redaction_made_after_the_backup_is_made_again_on_restore(
    taken: tuple[EscalationService, Path], empty: str, tmp_path: Path, clock: FakeClock
) -> None:
    service, copy = taken
    logged = tmp_path / "anchors"
    live = EscalationService(
        dataclasses.replace(service.settings, audit=dataclasses.replace(
            service.settings.audit, checkpoint_folder=logged)),
        service.engine, clock,
    )  # fmt: skip
    live.redacting.redact("dana", "ESC-2026-0001", 2, "note", "Names a worker")
    log = redaction_log.read(redaction_log.path_in(logged))
    assert [(line.entry, line.field, line.by) for line in log] == [(2, "note", "dana")]
    restore(empty, copy, KEY, tmp_path / "checkpoints")
    restored = make_engine(empty)
    try:
        again = EscalationService(dataclasses.replace(live.settings, database_url=empty),
                                  restored, clock)  # fmt: skip
        assert again.trail("ESC-2026-0001")[1].note == "Meeting booked."  # as the backup held it
        assert again.redacting.reapply(log) == (1, 0)
        assert again.redacting.reapply(log) == (0, 0)  # once
        assert again.trail("ESC-2026-0001")[1].note == "[redacted]"
        report = again.verify_all(folder=tmp_path / "checkpoints")
        assert report.ok, report.problem
        assert "first made by dana" in report.chain.redacted[0]
        # The line made again is not logged twice.
        assert len(redaction_log.read(redaction_log.path_in(logged))) == 1
    finally:
        restored.dispose()
