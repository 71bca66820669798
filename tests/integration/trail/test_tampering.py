"""Someone with write access to the database, but not the signing key, changes the trail.

Each case is done as such a writer would: switch off the append-only guards, edit, and recompute
the hash chain (its algorithm is public), so that only what needs the key (the signatures, the
checkpoints written outside the database) or what the rows must agree on (the replay) can tell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlmodel import SQLModel

from escalation_engine.clock import FakeClock
from escalation_engine.domain.periods import financial_year
from escalation_engine.reports.model import Report
from escalation_engine.service import EscalationService
from escalation_engine.settings import keys
from escalation_engine.settings.config import Settings
from escalation_engine.settings.keys import Signer
from escalation_engine.store import unit_of_work
from escalation_engine.trail import access, audit, checkpoints, installation, seals
from tests.support.scenarios import practice_alert, signed
from tests.support.tampering import ENTRIES, forge_from, guards_off, rechain


@dataclass
class Scene:
    """A signed service with a little history, a checkpoint of it kept outside the database,
    and a copy of the tables from before the last two escalations were raised."""

    service: EscalationService
    engine: Engine
    folder: Path
    older: dict[str, list[dict[str, Any]]]
    refs: list[str]

    def seq(self, reference: str, action: str, nth: int = 0) -> int:
        return [e.seq for e in audit.entries(self.engine, reference) if e.action == action][nth]

    @property
    def last(self) -> int:
        return audit.entries(self.engine)[-1].seq


_TABLES = (
    "audit_entry",
    "escalation",
    "notification",
    "reference_counter",
    "access_entry",
    "chain_seal",
)


def _copy(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            name: [dict(row._mapping) for row in connection.execute(select(_table(name)))]
            for name in _TABLES
        }


def _table(name: str) -> Any:
    return SQLModel.metadata.tables[name]


def restore(engine: Engine, copy: dict[str, list[dict[str, Any]]]) -> None:
    """Put back an older copy of the tables, as restoring an old backup would."""
    with engine.begin() as connection:
        guards_off(connection)
        for name in reversed(_TABLES):
            connection.execute(delete(_table(name)))
        for name in _TABLES:
            if copy[name]:
                connection.execute(insert(_table(name)), copy[name])


@pytest.fixture
def scene(settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path) -> Scene:
    service = EscalationService(signed(settings, tmp_path / "keys"), engine, clock)
    assert service.anchoring.record_installation(training=False, now=clock.now())
    a = practice_alert(service).reference
    service.act(a, "jo", "respond", note="Meeting booked.")
    service.act(a, "aisha", "reject", note="No date for the panel.")
    b = practice_alert(service, case_refs=["CLA-200001"]).reference
    service.act(b, "jo", "respond", note="Social worker allocated.")
    service.act(b, "aisha", "accept", note="Satisfied.")
    older = _copy(engine)
    c = practice_alert(service, case_refs=["CLA-300001"], category="placement").reference
    d = practice_alert(service, case_refs=["CLA-400001"]).reference
    clock.advance(days=8)
    service.tick()
    service.view(a, "jo", "show")
    service.view(b, "priya", "audit")
    folder = tmp_path / "checkpoints"
    service.anchoring.checkpoint(folder)
    assert service.verify_all(folder=folder).ok
    return Scene(service, engine, folder, older, [a, b, c, d])


def tamper(engine: Engine, *statements: str, params: dict[str, Any] | None = None) -> None:
    with engine.begin() as connection:
        guards_off(connection)
        for statement in statements:
            connection.execute(text(statement), params or {})


def _renumber(connection: Connection, start: int, by: int) -> None:
    """Shift entries from ``start`` on by ``by`` places (to close or open a gap)."""
    seqs = connection.execute(
        select(ENTRIES.c.seq).where(ENTRIES.c.seq >= start).order_by(ENTRIES.c.seq)
    ).scalars()
    for seq in sorted(seqs, reverse=by > 0):
        connection.execute(
            text("UPDATE audit_entry SET seq = :new WHERE seq = :old"),
            {"new": seq + by, "old": seq},
        )


def delete_and_rechain(engine: Engine, seq: int) -> None:
    with engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("DELETE FROM audit_entry WHERE seq = :seq"), {"seq": seq})
        _renumber(connection, seq + 1, -1)
        rechain(connection, seq)


def insert_and_rechain(engine: Engine, seq: int, **values: Any) -> None:
    """Insert a made-up entry at ``seq`` (shifting the rest), chained as the engine would."""
    with engine.begin() as connection:
        guards_off(connection)
        _renumber(connection, seq, +1)
        template = dict(
            connection.execute(select(ENTRIES).where(ENTRIES.c.seq == seq + 1)).one()._mapping
        )
        row = template | {"seq": seq, "hash": f"new{seq}", "signature": ""} | values
        connection.execute(insert(ENTRIES), row)
        rechain(connection, seq)


def append_forged(
    engine: Engine, reference: str, action: str, to_stage: str, **values: Any
) -> None:
    """Add an entry at the end, chained correctly; the signature is whatever ``values`` says."""
    with engine.begin() as connection:
        guards_off(connection)
        last = connection.execute(select(ENTRIES).order_by(ENTRIES.c.seq.desc()).limit(1)).one()
        state = connection.execute(
            text("SELECT stage FROM escalation WHERE reference = :ref"), {"ref": reference}
        ).scalar()
        row = dict(last._mapping) | {
            "seq": last.seq + 1, "reference": reference, "action": action, "actor": "jo",
            "actor_kind": "person", "from_stage": state, "to_stage": to_stage, "note": "Agreed.",
            "data": "{}", "hash": "forged", "signature": "",
        } | values  # fmt: skip
        connection.execute(insert(ENTRIES), row)
        rechain(connection, last.seq + 1)
        connection.execute(
            text("UPDATE escalation SET stage = :stage WHERE reference = :ref"),
            {"stage": to_stage, "ref": reference},
        )


# Each case tampers as a database writer without the key would, and returns words the problem
# that verify reports must contain: the entry or the escalation it concerns.
Case = Callable[[Scene], str]
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    CASES[function.__name__] = function
    return function


# --- one entry edited ---------------------------------------------------------------------------
def _edit_without_rechain(column: str, value: Any) -> Case:
    def run(s: Scene) -> str:
        seq = s.seq(s.refs[0], "respond")
        tamper(
            s.engine,
            f"UPDATE audit_entry SET {column} = :v WHERE seq = :seq",
            params={"v": value, "seq": seq},
        )
        return f"entry {seq} "

    return run


def _edit_and_rechain(column: str, value: Any) -> Case:
    def run(s: Scene) -> str:
        seq = s.seq(s.refs[0], "respond")
        forge_from(s.engine, seq, **{column: value})
        return f"entry {seq} "

    return run


for _column, _value in [
    ("note", "Nothing needed."), ("actor", "mark"), ("actor_kind", "engine"), ("action", "accept"),
    ("data", '{"as":["director"]}'), ("to_stage", "resolved"), ("from_stage", "director"),
    ("reference", "ESC-2026-0099"), ("schema_version", 1),
]:  # fmt: skip
    CASES[f"edit_{_column}"] = _edit_without_rechain(_column, _value)
    CASES[f"edit_{_column}_and_recompute_the_chain"] = _edit_and_rechain(_column, _value)


@case
def edit_the_time_and_recompute_the_chain(s: Scene) -> str:
    seq = s.seq(s.refs[0], "reject")
    forge_from(s.engine, seq, at=datetime(2027, 6, 1, 9, tzinfo=UTC))
    return f"entry {seq} "


@case
def edit_the_raising_and_recompute_the_chain(s: Scene) -> str:
    forge_from(s.engine, 1, note="A different concern.")
    return "entry 1 "


@case
def blank_a_signature(s: Scene) -> str:
    seq = s.seq(s.refs[1], "accept")
    tamper(s.engine, "UPDATE audit_entry SET signature = '' WHERE seq = :seq", params={"seq": seq})
    return f"entry {seq} "


@case
def move_a_signature_to_another_entry(s: Scene) -> str:
    tamper(
        s.engine,
        "UPDATE audit_entry SET signature = (SELECT signature FROM audit_entry WHERE seq = 1) WHERE seq = 2",
    )
    return "entry 2 "


@case
def edit_the_hash_chain_links(s: Scene) -> str:
    tamper(s.engine, f"UPDATE audit_entry SET prev_hash = '{audit.GENESIS}' WHERE seq = 3")
    return "entry 3 "


# --- entries removed, added or moved -----------------------------------------------------------
@case
def delete_an_entry(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM audit_entry WHERE seq = 2")
    return "entry 2 "


@case
def delete_an_entry_and_recompute_the_chain(s: Scene) -> str:
    delete_and_rechain(s.engine, 2)
    return "entry 2 "


@case
def delete_the_first_entry_and_recompute_the_chain(s: Scene) -> str:
    delete_and_rechain(s.engine, 1)
    return "entry 1 "


@case
def delete_the_last_entry(s: Scene) -> str:
    last = audit.entries(s.engine)[-1]
    tamper(s.engine, f"DELETE FROM audit_entry WHERE seq = {last.seq}")
    return last.reference


@case
def delete_the_last_entries_and_the_escalation_heads(s: Scene) -> str:
    last = s.last
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("DELETE FROM audit_entry WHERE seq > :seq"), {"seq": last - 3})
        rechain(connection, 1)
    return f"entries {last - 2} to {last} were deleted from its end"


@case
def delete_an_escalations_whole_trail_and_recompute_the_chain(s: Scene) -> str:
    with s.engine.begin() as connection:
        guards_off(connection)
        for entry in reversed(audit.entries(s.engine, s.refs[1])):
            connection.execute(text("DELETE FROM audit_entry WHERE seq = :seq"), {"seq": entry.seq})
            _renumber(connection, entry.seq + 1, -1)
        rechain(connection, 1)
    return "entry "


@case
def insert_an_entry(s: Scene) -> str:
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(
            text("UPDATE audit_entry SET seq = seq + 1000 WHERE seq >= 3"),
        )
    return "entry 3 "


@case
def insert_an_entry_and_recompute_the_chain(s: Scene) -> str:
    insert_and_rechain(s.engine, 3, note="Spoke to the team manager.")
    return "entry 3 "


@case
def insert_a_copy_of_a_signed_entry_and_recompute_the_chain(s: Scene) -> str:
    with s.engine.connect() as connection:
        original = connection.execute(select(ENTRIES).where(ENTRIES.c.seq == 2)).one()
    insert_and_rechain(
        s.engine,
        4,
        **{k: getattr(original, k) for k in ("reference", "action", "note", "signature")},
    )
    return "entry 4 "


@case
def swap_two_entries(s: Scene) -> str:
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("UPDATE audit_entry SET seq = -2 WHERE seq = 2"))
        connection.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
        connection.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -2"))
    return "entry 2 "


@case
def swap_two_entries_and_recompute_the_chain(s: Scene) -> str:
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("UPDATE audit_entry SET seq = -2 WHERE seq = 2"))
        connection.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
        connection.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -2"))
        rechain(connection, 2)
    return "entry 2 "


@case
def forge_an_accept_with_the_state_set_to_resolved(s: Scene) -> str:
    append_forged(s.engine, s.refs[0], "accept", "resolved")
    return f"entry {s.last} "


@case
def forge_an_accept_with_a_signature_copied_from_another_entry(s: Scene) -> str:
    with s.engine.connect() as connection:
        stolen = connection.execute(select(ENTRIES.c.signature).where(ENTRIES.c.seq == 5)).scalar()
    append_forged(s.engine, s.refs[0], "accept", "resolved", signature=stolen)
    return f"entry {s.last} "


@case
def forge_an_accept_signed_with_another_key(s: Scene) -> str:
    append_forged(s.engine, s.refs[0], "accept", "resolved")
    other = Signer(Ed25519PrivateKey.generate())
    last = audit.entries(s.engine)[-1]
    tamper(
        s.engine, "UPDATE audit_entry SET signature = :sig WHERE seq = :seq",
        params={"sig": other.sign(keys.ENTRY, last.hash.encode()), "seq": last.seq},
    )  # fmt: skip
    return f"entry {last.seq} "


@case
def rewrite_the_whole_trail_with_another_key(s: Scene) -> str:
    other = Signer(Ed25519PrivateKey.generate())
    forge_from(s.engine, 1, note="Rewritten.")
    with s.engine.begin() as connection:
        guards_off(connection)
        for row in connection.execute(select(ENTRIES.c.seq, ENTRIES.c.hash)).all():
            connection.execute(
                text("UPDATE audit_entry SET signature = :sig WHERE seq = :seq"),
                {"sig": other.sign(keys.ENTRY, row.hash.encode()), "seq": row.seq},
            )
    return "entry 1 "


# --- escalation rows changed behind the trail's back ---------------------------------------------
def _row_edit(column: str, value: Any, which: int = 0) -> Case:
    def run(s: Scene) -> str:
        tamper(
            s.engine, f"UPDATE escalation SET {column} = :v WHERE reference = :ref",
            params={"v": value, "ref": s.refs[which]},
        )  # fmt: skip
        return s.refs[which]

    return run


for _column, _value, _which in [
    ("stage", "resolved", 0), ("status", "responded", 0), ("status", "closed", 3),
    ("outcome", "withdrawn", 1), ("rag", "green", 0), ("raised_by", "tom", 0), ("team", "south", 0),
    ("category", "placement", 0), ("case_refs", '["CLA-999999"]', 0), ("summary", "Nothing.", 0),
    ("looked_after", False, 0), ("stage", "director", 2), ("workflow", "case_alert", 0),
    ("audit_head", "0" * 64, 0),
]:  # fmt: skip
    _shown = "".join(c for c in str(_value) if c.isalnum() or c == "_")[:20]
    CASES[f"set_an_escalations_{_column}_to_{_shown}_without_an_entry"] = _row_edit(
        _column, _value, _which
    )


@case
def change_the_workflow_version_an_escalation_runs_under(s: Scene) -> str:
    spec = s.service.workflow("dispute_resolution")
    text_changed = spec.text.replace("version: 1", "version: 2", 1)
    assert text_changed != spec.text
    digest = hashlib.sha256(text_changed.encode()).hexdigest()
    with s.engine.begin() as connection:
        connection.execute(
            insert(_table("workflow_version")),
            {"digest": digest, "name": spec.name, "version": 2, "source": "x.yaml", "text": text_changed,
             "first_used_at": datetime(2026, 1, 5, tzinfo=UTC)},
        )  # fmt: skip
        connection.execute(
            text("UPDATE escalation SET workflow_digest = :d WHERE reference = :ref"),
            {"d": digest, "ref": s.refs[0]},
        )
    return s.refs[0]


@case
def edit_the_stored_text_of_a_workflow_version(s: Scene) -> str:
    tamper(s.engine, "UPDATE workflow_version SET text = text || '\n# nothing'")
    return "was altered after it was stored"


@case
def delete_an_escalation(s: Scene) -> str:
    tamper(
        s.engine,
        "DELETE FROM notification WHERE reference = :ref",
        "DELETE FROM escalation WHERE reference = :ref",
        params={"ref": s.refs[1]},
    )
    return s.refs[1]


@case
def insert_an_escalation_that_was_never_raised(s: Scene) -> str:
    with s.engine.begin() as connection:
        row = dict(
            connection.execute(
                select(_table("escalation")).where(text("reference = :ref")), {"ref": s.refs[3]}
            )
            .one()
            ._mapping
        )
        row |= {"id": 9999, "reference": "ESC-2026-0500"}
        connection.execute(insert(_table("escalation")), row)
    return "ESC-2026-0500"


# --- the whole database -------------------------------------------------------------------------
@case
def restore_an_older_copy_of_the_database(s: Scene) -> str:
    restore(s.engine, s.older)
    return "restored from an older copy"


@case
def remove_every_entry_and_escalation(s: Scene) -> str:
    restore(s.engine, {name: [] for name in _TABLES})
    return "the trail ends at entry 0"


@case
def truncate_the_trail_and_put_the_rows_back_as_they_were(s: Scene) -> str:
    kept = s.older["audit_entry"]
    restore(s.engine, s.older | {"audit_entry": kept})
    return "older copy"


@case
def forge_a_checkpoint_file(s: Scene) -> str:
    path = next(iter(sorted(s.folder.glob("checkpoint-*.json"))))
    data = json.loads(path.read_text())
    data["seq"] = 1
    path.write_text(json.dumps(data))
    return path.name


@case
def write_a_checkpoint_of_a_rewritten_trail_signed_with_another_key(s: Scene) -> str:
    other = Signer(Ed25519PrivateKey.generate())
    forge_from(s.engine, 1, note="Rewritten.")
    point = checkpoints.take(s.engine, other, datetime(2027, 1, 1, tzinfo=UTC))
    checkpoints.write(s.folder, point)
    return "entry 1 "


# --- the access log ------------------------------------------------------------------------------
@case
def delete_the_latest_look_from_the_access_log(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM access_entry WHERE seq = 2")
    return "entry 2 was deleted from its end"


@case
def change_who_looked_and_recompute_the_access_hash(s: Scene) -> str:
    with s.engine.begin() as connection:
        guards_off(connection)
        row = dict(
            connection.execute(text("SELECT * FROM access_entry WHERE seq = 1")).one()._mapping
        )
        connection.execute(text("UPDATE access_entry SET viewer = 'mark' WHERE seq = 1"))
        read = connection.execute(select(_table("access_entry")).where(text("seq = 1"))).one()
        digest = hashlib.sha256(access.canonical(read)).hexdigest()
        connection.execute(text("UPDATE access_entry SET hash = :h WHERE seq = 1"), {"h": digest})
        assert row["viewer"] == "jo"
    return "access log entry 1"


@case
def take_an_escalation_out_of_a_look(s: Scene) -> str:
    tamper(s.engine, "UPDATE access_entry SET shown = '[]' WHERE seq = 2")
    return "access log entry 2 (priya viewing ) was altered after it was written"


# --- the end of a chain, after the last checkpoint -------------------------------------------------
def _escalation_row(engine: Engine, reference: str) -> dict[str, Any]:
    with engine.connect() as connection:
        query = select(_table("escalation")).where(_table("escalation").c.reference == reference)
        return dict(connection.execute(query).one()._mapping)


def _undo_the_latest_action(s: Scene, then: Callable[[Connection, int, str], None]) -> int:
    """Withdraw an escalation after the last checkpoint, then take the entry out and put the
    row back as it was (so that row and trail agree again), and do ``then`` in that transaction."""
    reference = s.refs[3]
    before, last, end = (
        _escalation_row(s.engine, reference),
        s.last,
        audit.entries(s.engine)[-1].hash,
    )
    s.service.act(reference, "aisha", "withdraw", note="Raised on the wrong record.")
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(delete(ENTRIES).where(ENTRIES.c.seq > last))
        escalation = _table("escalation")
        connection.execute(
            escalation.update().where(escalation.c.reference == reference).values(**before)
        )
        then(connection, last, end)
    return last


@case
def undo_the_latest_action_taken_after_the_last_checkpoint(s: Scene) -> str:
    last = _undo_the_latest_action(s, lambda *_: None)
    return f"entry {last + 1} was deleted from its end"


@case
def undo_the_latest_action_and_delete_the_seal(s: Scene) -> str:
    _undo_the_latest_action(
        s, lambda connection, *_: connection.execute(text("DELETE FROM chain_seal"))
    )
    return "the audit trail has no seal"


@case
def undo_the_latest_action_and_seal_the_trail_with_another_key(s: Scene) -> str:
    forger = Signer(Ed25519PrivateKey.generate())
    _undo_the_latest_action(
        s,
        lambda connection, last, end: seals.seal(
            connection, seals.AUDIT, last, end, forger, s.service.clock.now()
        ),
    )
    return "the audit trail's seal is not signed by this service's key"


@case
def delete_a_look_taken_after_the_last_checkpoint(s: Scene) -> str:
    s.service.view(s.refs[2], "priya", "show")
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(
            text("DELETE FROM access_entry WHERE seq = (SELECT MAX(seq) FROM access_entry)")
        )
    return "the access log ends at entry 2, but its seal says it ended at entry 3"


# --- seals put back from an earlier moment: a checkpoint renews them and records their counters --
def _seal_row(engine: Engine, chain: str) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(
            select(_table("chain_seal")).where(_table("chain_seal").c.chain == chain)
        ).one()
        return dict(found._mapping)


def _put_back(connection: Connection, row: dict[str, Any]) -> None:
    seal = _table("chain_seal")
    connection.execute(seal.update().where(seal.c.chain == row["chain"]).values(**row))


@case
def put_back_the_seal_kept_from_before_the_last_checkpoint(s: Scene) -> str:
    kept = _seal_row(s.engine, seals.AUDIT)
    s.service.anchoring.checkpoint(s.folder)
    with s.engine.begin() as connection:
        _put_back(connection, kept)
    return f"the audit trail's seal (number {kept['counter']}) is older than the checkpoint"


@case
def cut_the_action_after_the_checkpoint_and_put_back_the_seal_from_before(s: Scene) -> str:
    kept = _seal_row(s.engine, seals.AUDIT)
    s.service.anchoring.checkpoint(s.folder)
    _undo_the_latest_action(s, lambda connection, last, end: _put_back(connection, kept))
    return "is older than the checkpoint"


@case
def cut_a_look_after_the_checkpoint_and_put_back_the_access_seal_from_before(s: Scene) -> str:
    kept = _seal_row(s.engine, seals.ACCESS)
    s.service.anchoring.checkpoint(s.folder)
    s.service.view(s.refs[2], "priya", "show")
    with s.engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("DELETE FROM access_entry WHERE seq > :seq"), {"seq": kept["seq"]})
        _put_back(connection, kept)
    return "the access log's seal"


# --- the report's counts, kept beside the trail ----------------------------------------------------
@case
def inflate_a_count_the_report_reads(s: Scene) -> str:
    tamper(s.engine, "UPDATE report_tally SET count = count + 5 WHERE action = 'respond'")
    return "the report's count of respond entries"


@case
def add_a_reason_the_trail_never_gave_to_the_report(s: Scene) -> str:
    tamper(
        s.engine,
        "INSERT INTO report_mark (seq, reference, at, action, detail, reason)"
        " VALUES (1, :reference, :at, 'withdraw', NULL, 'raised_in_error')",
        params={"reference": s.refs[0], "at": datetime(2026, 3, 2, tzinfo=UTC)},
    )
    return "the report's marks name entry 1"


# --- what the database is for, and when things happened ---------------------------------------
@case
def flip_the_installation_record_to_training(s: Scene) -> str:
    tamper(s.engine, "UPDATE installation SET training = true")
    return "the installation record says the database is for training, but its seal does not match"


@case
def delete_the_installation_seal(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM installation_seal")
    return "the installation record (for live use) is not sealed"


@case
def flip_to_training_and_seal_it_with_another_key(s: Scene) -> str:
    forger = Signer(Ed25519PrivateKey.generate())
    tamper(s.engine, "UPDATE installation SET training = true", "DELETE FROM installation_seal")
    installation.seal(s.engine, forger)
    return "its seal does not match"


@case
def write_a_signed_entry_dated_before_the_one_ahead(s: Scene) -> str:
    earlier = audit.entries(s.engine)[-1].at - timedelta(days=2)
    with unit_of_work(s.engine) as session:  # a pretended clock on a flipped database
        audit.append(
            session, reference=s.refs[2], at=earlier, actor="jo", actor_kind="person",
            action="note", from_stage="team_manager", to_stage="team_manager",
            signer=s.service.ctx.signer, historical=True,
        )  # fmt: skip
    return f"entry {s.last} ({s.refs[2]}, note) is dated"


# --- the clocks the worker acts on, kept beside the trail ------------------------------------------
def _move_clock(column: str, value: datetime | None, words: str) -> Case:
    def run(s: Scene) -> str:
        # The application's own role may write escalation rows: no guard to switch off.
        with s.engine.begin() as connection:
            connection.execute(
                text(f"UPDATE escalation SET {column} = :v WHERE reference = :ref"),
                {"v": value, "ref": s.refs[3]},
            )
        return f"{s.refs[3]}: its stored {words} is"

    return run


_YEAR_ON = datetime(2027, 3, 1, 17, tzinfo=UTC)
for _column, _value, _words in [
    ("stage_due_at", _YEAR_ON, "stage deadline"),
    ("remind_at", None, "next reminder"),
    ("overall_due_at", _YEAR_ON, "overall time limit"),
    ("overall_breached_at", _YEAR_ON, "overall limit's breach"),
    ("next_due_at", _YEAR_ON, "next due time (what the worker looks for)"),
]:
    CASES[f"move_the_{_column}_without_an_entry"] = _move_clock(_column, _value, _words)


@case
def move_every_clock_a_year_out_together(s: Scene) -> str:
    tamper(
        s.engine,
        "UPDATE escalation SET stage_due_at = :v, remind_at = :v, overall_due_at = :v,"
        " next_due_at = :v WHERE reference = :ref",
        params={"v": _YEAR_ON, "ref": s.refs[2]},
    )
    return f"{s.refs[2]}: its stored stage deadline is"


def test_a_recount_mends_counts_the_trail_disagrees_with(scene: Scene) -> None:
    truth = scene.service.report("priya", financial_year("2025-26"))
    inflate_a_count_the_report_reads(scene)
    assert not scene.service.verify_all(folder=scene.folder).ok
    scene.service.anchoring.recount()
    assert scene.service.verify_all(folder=scene.folder).ok
    again = scene.service.report("priya", financial_year("2025-26"))
    assert _values(again) == _values(truth)
    assert any(_values(truth).values())


def _values(report: Report) -> dict[str, object]:
    return {f.key: f.value for table in report.tables for f in table.figures()}


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_an_emptied_trail_with_no_seal_and_no_checkpoint_cannot_be_called_whole(
    scene: Scene,
) -> None:
    remove_every_entry_and_escalation(scene)
    report = scene.service.verify_all()
    assert report.chain.undecided
    assert not report.ok
    assert "no seal to say whether it ever did" in str(report.problem)


def test_a_new_service_is_sealed_at_its_start_and_verifies_empty(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    service = EscalationService(signed(settings, tmp_path / "keys"), engine, clock)
    assert service.verify_all().chain.undecided  # nothing says whether it ever held entries
    assert service.anchoring.record_installation(training=False, now=clock.now())
    report = service.verify_all()
    assert report.ok, report.problem
    assert report.chain.entries == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_finds_and_names_the_tampering(scene: Scene, name: str) -> None:
    expected = CASES[name](scene)
    report = scene.service.verify_all(folder=scene.folder)
    assert not report.ok, f"{name} went unnoticed"
    assert expected in str(report.problem), report.problem
