"""The signed, anchored trail from the command line: a folder set up by ``escalate init`` signs
every entry, ``audit checkpoint`` anchors it, and ``verify`` and ``show`` report tampering."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

from tests.support.cli import run

RAISE = (
    "raise", "--type", "practice_alert", "--case", "CLA-100234", "--category", "drift_and_delay",
    "--team", "north", "--summary", "No permanence plan",
)  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "service"
    assert run(tmp_path, "init", "--training", str(site)).returncode == 0
    return site


def test_init_makes_a_signing_key_and_a_database_only_their_owner_can_read(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert _mode(site) == 0o700
    assert _mode(site / "escalations.db") == 0o600
    assert _mode(site / "keys") == 0o700
    assert _mode(site / "keys" / "audit-signing.pem") == 0o600
    assert "public_key: ed25519:" in (site / "config.yaml").read_text()
    assert "PRIVATE KEY" not in (site / "config.yaml").read_text()


def test_a_signed_anchored_trail_verifies_and_a_changed_row_is_reported(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert run(site, *RAISE).returncode == 0
    assert run(site, "respond", "ESC-2026-0001", "--note", "Booked", user="jo").returncode == 0
    written = run(site, "audit", "checkpoint")
    assert written.returncode == 0, written.stderr
    assert "Checkpoint of entry 2" in written.stdout
    copies = tmp_path / "offsite"
    shutil.copytree(site / "checkpoints", copies)
    verified = run(site, "audit", "verify", "--checkpoints", str(copies), "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert '"signed": true' in verified.stdout

    with sqlite3.connect(site / "escalations.db") as db:
        db.execute(
            "UPDATE escalation SET stage = 'resolved', status = 'closed' WHERE reference = 'ESC-2026-0001'"
        )
    shown = run(site, "show", "ESC-2026-0001")
    assert "does not match its audit trail" in shown.stderr
    broken = run(site, "audit", "verify", "--checkpoints", str(copies))
    assert broken.returncode == 1
    assert "ESC-2026-0001" in broken.stderr


def test_a_trail_cut_back_below_a_checkpoint_is_found(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert run(site, *RAISE).returncode == 0
    backup = tmp_path / "backup.db"
    shutil.copy(site / "escalations.db", backup)
    assert run(site, "respond", "ESC-2026-0001", "--note", "Booked", user="jo").returncode == 0
    assert run(site, "audit", "checkpoint").returncode == 0
    shutil.copy(backup, site / "escalations.db")  # an older copy put back
    result = run(site, "audit", "verify")
    assert result.returncode == 1
    assert "restored from an older copy" in result.stderr


def test_a_signing_key_others_can_read_stops_every_write(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "keys" / "audit-signing.pem").chmod(0o644)
    result = run(site, *RAISE)
    assert result.returncode == 1
    assert "chmod 600" in result.stderr
    assert "No escalations" in run(site, "list", "--all").stdout
