"""A database from before seals, upgraded from the command line, has both chains sealed with the key."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import create_engine, select

from escalation_engine.settings import keys
from escalation_engine.store.tables import AccessRow, AuditRow, EntryTextRow
from escalation_engine.trail import access, audit
from tests.support.cli import NOW, RAISE, new_site, run


def _one_look_per_escalation(site: Path) -> None:
    """Rewrite the access log's first entry as entries were written before looks were kept by
    the page (one escalation in ``reference``, no ``shown``), signed with the site's key."""
    engine = create_engine(f"sqlite:///{site / 'escalations.db'}")
    with engine.connect() as connection:
        row = connection.execute(select(AccessRow.__table__).where(AccessRow.seq == 1)).one()
    engine.dispose()
    (reference,) = access.references(row)
    old = SimpleNamespace(**(row._asdict() | {"reference": reference, "shown": ""}))
    digest = hashlib.sha256(access.canonical(old)).hexdigest()
    key = load_pem_private_key((site / "keys" / "audit-signing.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    signature = keys.Signer(key).sign(keys.ACCESS, digest.encode())
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TRIGGER access_entry_no_update")
        db.execute("ALTER TABLE access_entry DROP COLUMN shown")
        db.execute(
            "UPDATE access_entry SET reference = ?, hash = ?, signature = ? WHERE seq = 1",
            (reference, digest, signature),
        )


def _entries_with_their_text_inside(site: Path) -> None:
    """Rewrite every entry as entries were written before personal text was kept apart (schema
    version 2: the note inside the entry), signed with the site's key, and drop the table of kept
    text, as revisions before 0026 had none."""
    engine = create_engine(f"sqlite:///{site / 'escalations.db'}")
    with engine.connect() as connection:
        rows = connection.execute(select(AuditRow.__table__).order_by(AuditRow.seq)).all()
        texts = dict(connection.execute(select(EntryTextRow.seq, EntryTextRow.text)).all())
    engine.dispose()
    key = load_pem_private_key((site / "keys" / "audit-signing.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    prev = audit.GENESIS
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TRIGGER audit_entry_no_update")
        for row in rows:
            assert '"sha256:' not in row.data  # only notes to put back in these entries
            old = SimpleNamespace(**(row._asdict() | {
                "schema_version": 2, "note": texts.get(row.seq, row.note), "prev_hash": prev,
            }))  # fmt: skip
            digest = hashlib.sha256(audit.canonical(old)).hexdigest()
            signature = keys.Signer(key).sign(keys.ENTRY, digest.encode())
            db.execute(
                "UPDATE audit_entry SET schema_version = 2, note = ?, prev_hash = ?, hash = ?,"
                " signature = ? WHERE seq = ?",
                (old.note, prev, digest, signature, row.seq),
            )
            db.execute("UPDATE escalation SET audit_head = ? WHERE reference = ?",
                       (digest, row.reference))  # fmt: skip
            prev = digest
        db.execute("DROP TABLE entry_text")


def test_upgrading_a_database_from_before_seals_seals_both_chains_with_the_key(
    tmp_path: Path,
) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, user="aisha", now=NOW).returncode == 0
    assert run(site, "show", "ESC-2026-0001", user="jo", now=NOW).returncode == 0  # a look
    _one_look_per_escalation(site)
    _entries_with_their_text_inside(site)
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TABLE chain_seal")  # as revision 0010 left it
        db.execute("DROP TABLE legacy_import")
        db.execute("DROP TABLE report_tally")
        db.execute("DROP TABLE report_mark")
        db.execute("DROP TABLE watch")
        db.execute("DROP INDEX ix_escalation_closed_at")
        db.execute("DROP INDEX ix_escalation_raised_open")
        db.execute("DROP INDEX ix_escalation_raised_at")
        db.execute("DROP TABLE installation_seal")
        db.execute("DROP TABLE delivery_record")
        db.execute("DROP TABLE seen")
        db.execute("DROP TABLE case_date")
        db.execute("DROP TABLE sign_in_pending")
        db.execute("DROP INDEX ix_sign_in_source_at")
        db.execute("ALTER TABLE escalation DROP COLUMN handled_by")
        db.execute("UPDATE alembic_version SET version_num = '0010'")
    upgraded = run(site, "db", "upgrade", user=None)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Sealed audit at its end" in upgraded.stdout
    assert "kept apart from its entry from entry 2 on" in " ".join(upgraded.stdout.split())
    assert "Sealed access at its end" in upgraded.stdout
    assert "Sealed the installation record" in upgraded.stdout
    assert run(site, "audit", "verify", user=None).returncode == 0  # the old look verifies
    assert run(site, "show", "ESC-2026-0001", user="jo", now=NOW).returncode == 0  # a new one
    assert run(site, "audit", "verify", user=None).returncode == 0
    with closing(sqlite3.connect(site / "escalations.db")) as db:  # watches, from the trail
        watching = db.execute("SELECT username, reference, why FROM watch ORDER BY id").fetchall()
    assert watching == [("priya", "ESC-2026-0001", "watchers"), ("sam", "ESC-2026-0001", "copy")]
    with closing(sqlite3.connect(site / "escalations.db")) as db, db:
        db.execute("DROP TRIGGER access_entry_no_delete")  # as a writer without the key may
        db.execute("DELETE FROM access_entry")
    cut = run(site, "audit", "verify", user=None)
    assert cut.returncode == 1
    assert "the access log ends at entry 0, but its seal says it ended at entry 2" in cut.stderr
