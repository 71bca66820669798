"""The signed, anchored trail from the command line: a folder set up by ``escalate init`` signs
every entry, ``audit checkpoint`` anchors it, and ``verify`` and ``show`` report tampering."""

from __future__ import annotations

import shutil
import socketserver
import sqlite3
import stat
import threading
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


class _Syslog(socketserver.BaseRequestHandler):
    """A syslog server on loopback that appends every datagram to a file, as rsyslog would."""

    log: Path

    def handle(self) -> None:
        data = self.request[0].decode("utf-8", "replace")
        with self.log.open("a", encoding="utf-8") as file:
            file.write(f"Dec  7 03:00:00 host escalate: {data.rstrip(chr(0))}\n")


def test_each_checkpoint_goes_to_syslog_and_verify_reads_it_back_from_the_log(
    tmp_path: Path,
) -> None:
    log = tmp_path / "auth.log"
    handler = type("Handler", (_Syslog,), {"log": log})
    with socketserver.UDPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        site = _site(tmp_path)
        config = site / "config.yaml"
        port = server.server_address[1]
        config.write_text(config.read_text().replace(
            "checkpoints: {folder: checkpoints, every: 1000}",
            f"checkpoints: {{folder: checkpoints, every: 1000, syslog: 'udp://127.0.0.1:{port}'}}",
        ))  # fmt: skip
        assert run(site, *RAISE).returncode == 0
        written = run(site, "audit", "checkpoint")
        assert written.returncode == 0, written.stderr
        assert "Could not send" not in written.stdout
        server.shutdown()
    assert "escalate-checkpoint" in log.read_text()
    shutil.rmtree(site / "checkpoints")  # the copies beside the database are gone: the log holds
    verified = run(site, "audit", "verify", "--checkpoints", str(log))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "1 checkpoint still part of the trail" in verified.stdout
    with sqlite3.connect(site / "escalations.db") as db:  # cut the trail back, as a writer may
        db.execute("DROP TRIGGER audit_entry_no_delete")
        db.execute("DELETE FROM audit_entry")
        db.execute("DELETE FROM escalation")
        db.execute("DELETE FROM chain_seal")
    cut = run(site, "audit", "verify", "--checkpoints", str(log))
    assert cut.returncode == 1
    assert "the trail ends at entry 0" in cut.stderr


def test_a_syslog_address_that_is_not_one_is_refused_naming_the_forms(tmp_path: Path) -> None:
    site = _site(tmp_path)
    config = site / "config.yaml"
    config.write_text(config.read_text().replace(
        "every: 1000}", "every: 1000, syslog: 'http://example.org'}"
    ))  # fmt: skip
    result = run(site, "status")
    assert result.returncode != 0
    assert "udp://host:port" in result.stderr


def test_a_mistyped_audit_command_is_named_as_one_not_taken_for_a_reference(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path)
    for typed, meant in (("verfy", "verify"), ("chekpoint", "checkpoint")):
        result = run(site, "audit", typed)
        assert result.returncode == 1
        said = " ".join(result.stderr.split())
        assert f"Did you mean '{meant}'?" in said
        assert "No escalation has the reference" not in said
    unknown = run(site, "audit", "ESC-2026-0099")
    assert "No escalation has the reference 'ESC-2026-0099'" in " ".join(unknown.stderr.split())
