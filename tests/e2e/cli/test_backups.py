"""Backups from the command line, on both databases: ``escalate backup-key`` makes a key outside
the service folder, ``escalate backup`` copies the live service encrypted, and ``escalate
restore`` in a new, empty service folder puts it back and verifies it against the checkpoint
taken with it; ``audit verify`` then passes there, with that checkpoint kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from escalation_engine.clock import SystemClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import entries, everything, make_engine
from tests.support.cli import run
from tests.support.databases import database
from tests.support.scenarios import practice_alert

pytestmark = pytest.mark.slow


def _signed_folder(path: Path, url: str) -> Path:
    """``escalate init`` as a council runs it (a signing key made), on the database ``url``."""
    folder = path / "service"
    assert run(path, "init", str(folder), user=None).returncode == 0
    if not url.startswith("sqlite"):  # SQLite stays in the folder, as init makes it
        config = folder / "config.yaml"
        config.write_text(config.read_text().replace("database_url: sqlite:///escalations.db",
                                                     f"database_url: {url}"))  # fmt: skip
    upgraded = run(folder, "db", "upgrade", user=None)
    assert upgraded.returncode == 0, upgraded.stderr
    return folder


def _redact(folder: Path, reference: str, entry: int) -> None:
    """The data protection officer redacts a note (after the backup was taken)."""
    settings = load_settings(folder / "config.yaml")
    engine = make_engine(settings.database_url)
    try:
        service = EscalationService(settings, engine, SystemClock())
        service.redacting.redact("dana", reference, entry, "note", "Names a parent")
    finally:
        engine.dispose()


def _escalations(folder: Path) -> list[str]:
    settings = load_settings(folder / "config.yaml")
    engine = make_engine(settings.database_url)
    try:
        service = EscalationService(settings, engine, SystemClock())
        made = [practice_alert(service, case_refs=[f"CLA-70000{n}"]).reference for n in range(3)]
        service.act(made[0], "jo", "respond", note="Meeting booked.")
        return made
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_service_is_backed_up_and_restored_into_an_empty_folder(
    tmp_path: Path, kind: str
) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "new").mkdir()
    with database(kind, tmp_path / "live") as url, database(kind, tmp_path / "new") as empty:
        live = _signed_folder(tmp_path / "live", url)
        made = _escalations(live)
        key = tmp_path / "council-keys" / "backup.key"
        assert run(live, "backup-key", str(key), user=None).returncode == 0
        taken = run(live, "backup", str(tmp_path / "backups" / "today.backup"), "--key-file",
                    str(key), user=None)  # fmt: skip
        assert taken.returncode == 0, taken.stderr
        assert "Backed up 4 audit entries" in taken.stdout
        _redact(live, made[0], 4)  # after the backup: its log travels outside it
        new = tmp_path / "new"
        shutil.copy(live / "config.yaml", new / "config.yaml")
        shutil.copytree(live / "keys", new / "keys")  # the council keeps these, not the backup
        env = {"ESCALATE_DATABASE_URL": empty} if kind == "postgresql" else {}
        log = live / "checkpoints" / "redactions.jsonl"
        assert "Meeting booked." not in log.read_text()
        put_back = run(new, "restore", str(tmp_path / "backups" / "today.backup"),
                       "--redactions", str(log), user=None,
                       env=env | {"ESCALATE_BACKUP_KEY_FILE": str(key)})  # fmt: skip
        assert put_back.returncode == 0, put_back.stderr
        assert "verified it against the checkpoint" in put_back.stdout
        assert f"Made again 1 redaction from {log}" in " ".join(put_back.stdout.split())
        verified = run(new, "audit", "verify", user=None, env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        said = " ".join(verified.stdout.split())
        assert "redacted (entry 4, field note, by the engine," in said
        assert "Made again after a restore (first made by dana on" in said
        restored = make_engine(
            empty if kind == "postgresql" else f"sqlite:///{new / 'escalations.db'}"
        )
        try:
            assert [e.reference for e in everything(restored)] == made
            assert [row.note for row in entries(restored, made[0])][1] == "[redacted]"
        finally:
            restored.dispose()
        again = run(new, "restore", str(tmp_path / "backups" / "today.backup"), "--key-file",
                    str(key), user=None, env=env)  # fmt: skip
        assert again.returncode != 0
        assert "restored only into an empty database" in again.stderr
