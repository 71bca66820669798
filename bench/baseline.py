"""The fair baseline for the engine's cycle: the raw database doing the same work with the same
guarantees, through the DB-API with no layer between.

A cycle is three transactions, as the engine's raise, respond and accept are: the first inserts
the escalation's row, the next two update it (checking the version they read, as the engine
does). Each transaction takes the chain's write lock (SQLite's ``BEGIN IMMEDIATE``; PostgreSQL's
advisory lock), reads the chain's head, appends one SHA-256-chained audit row naming it, and
commits, on the same journal and sync settings as the engine (the connection comes from the
engine's own ``make_engine``). ``signed`` adds what the engine adds for a signed trail: an Ed25519
signature over each entry's hash, and the chain's seal row (its end, a counter, signed) rewritten
in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench import workloads
from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.store import AUDIT_LOCK_KEY, create_schema, make_engine

_TABLES = (
    "CREATE TABLE fair_escalation (reference TEXT PRIMARY KEY,"
    " stage TEXT NOT NULL, version INTEGER NOT NULL)",
    "CREATE TABLE fair_audit (seq INTEGER PRIMARY KEY, reference TEXT NOT NULL, at TEXT NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL UNIQUE, signature TEXT NOT NULL)",
    "CREATE TABLE fair_seal (chain TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL,"
    " counter INTEGER NOT NULL, signature TEXT NOT NULL)",
)
_STEPS = (("raise", "team_manager"), ("respond", "team_manager"), ("accept", "resolved"))


class FairCycle:
    """Cycles of the fair baseline on ``url``, run ``count`` at a time (``run``), so that they
    can be interleaved with the engine's in one run."""

    def __init__(self, url: str, *, signed: bool) -> None:
        self.engine = make_engine(url)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.key = Ed25519PrivateKey.generate() if signed else None
        self.mark = "%s" if self.postgres else "?"
        self.done = 0
        self.prefix = "S" if signed else "P"
        self.connection = self.engine.raw_connection()
        cursor = self.connection.cursor()
        for statement in _TABLES:
            cursor.execute(statement.replace("fair_", f"fair_{self.prefix}_"))
        self.connection.commit()

    def _sql(self, statement: str) -> str:
        return statement.replace("fair_", f"fair_{self.prefix}_").replace("?", self.mark)

    def _transaction(self, reference: str, action: str, stage: str) -> None:
        cursor = self.connection.cursor()
        if self.postgres:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
        else:
            cursor.execute("BEGIN IMMEDIATE")
        if action == "raise":
            cursor.execute(self._sql("INSERT INTO fair_escalation (reference, stage, version)"
                                     " VALUES (?, ?, 1)"), (reference, stage))  # fmt: skip
        else:
            cursor.execute(self._sql("SELECT version FROM fair_escalation WHERE reference = ?"),
                           (reference,))  # fmt: skip
            (version,) = cursor.fetchone()
            cursor.execute(
                self._sql("UPDATE fair_escalation SET stage = ?, version = ? WHERE reference = ?"
                          " AND version = ?"), (stage, version + 1, reference, version),
            )  # fmt: skip
        cursor.execute(self._sql("SELECT seq, hash FROM fair_audit ORDER BY seq DESC LIMIT 1"))
        head = cursor.fetchone() or (0, "genesis")
        at = datetime.now(UTC).isoformat()
        data = json.dumps({"stage": stage, "note": "Meeting booked"}, sort_keys=True)
        fields = [head[0] + 1, reference, at, "aisha", action, data, head[1]]
        digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()
        signature = self.key.sign(digest.encode()).hex() if self.key is not None else ""
        cursor.execute(
            self._sql("INSERT INTO fair_audit (seq, reference, at, actor, action, data, prev_hash,"
                      " hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            (*fields, digest, signature),
        )  # fmt: skip
        if self.key is not None:
            self._seal(cursor, head[0] + 1, digest)
        self.connection.commit()

    def _seal(self, cursor: Any, seq: int, digest: str) -> None:
        cursor.execute(self._sql("SELECT counter FROM fair_seal WHERE chain = 'audit'"))
        found = cursor.fetchone()
        counter = (found[0] if found else 0) + 1
        assert self.key is not None
        signature = self.key.sign(f"audit\n{seq}\n{digest}\n{counter}".encode()).hex()
        values = (seq, digest, counter, signature)
        if found:
            cursor.execute(self._sql("UPDATE fair_seal SET seq = ?, hash = ?, counter = ?,"
                                     " signature = ? WHERE chain = 'audit'"), values)  # fmt: skip
        else:
            cursor.execute(self._sql("INSERT INTO fair_seal (seq, hash, counter, signature, chain)"
                                     " VALUES (?, ?, ?, ?, 'audit')"), values)  # fmt: skip

    def run(self, count: int) -> float:
        """``count`` cycles; the seconds they took."""
        start = time.perf_counter()
        for _ in range(count):
            self.done += 1
            reference = f"FAIR-{self.done}"
            for action, stage in _STEPS:
                self._transaction(reference, action, stage)
        return time.perf_counter() - start

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


class EngineCycle:
    """The engine's own cycle (raise, respond, accept through the service, on a signed trail),
    run ``count`` at a time like ``FairCycle``."""

    def __init__(self, url: str) -> None:
        settings = workloads.settings_for(url)
        self.engine = make_engine(settings.database_url)
        create_schema(self.engine)
        self.service = EscalationService(settings, self.engine, FakeClock(workloads.MONDAY))
        self.done = 0
        self.run(1)  # the first read of the workflows and the key is not a cycle

    def run(self, count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            esc = workloads._raise(self.service, self.done)
            self.done += 1
            self.service.act(esc.reference, "jo", "respond", note="Meeting booked")
            self.service.act(esc.reference, "aisha", "accept", note="Satisfied")
        return time.perf_counter() - start

    def close(self) -> None:
        self.engine.dispose()


def interleaved(url: str, count: int, rounds: int = 5) -> dict[str, float]:
    """Cycles per second of the engine and of the fair baseline, plain and signed, on one
    database, taking turns ``rounds`` times so that the machine's load falls on each alike; and,
    under ``"<name> cpu"``, the CPU seconds each spent in this process a cycle (the engine's
    Python, or the baseline's driver calls; on SQLite the database's work as well)."""
    runners = {"engine": EngineCycle(url), "plain": FairCycle(url, signed=False),
               "signed": FairCycle(url, signed=True)}  # fmt: skip
    took = dict.fromkeys(runners, 0.0)
    cpu = dict.fromkeys(runners, 0.0)
    try:
        for _ in range(rounds):
            for name, runner in runners.items():
                before = time.process_time()
                took[name] += runner.run(count // rounds)
                cpu[name] += time.process_time() - before
    finally:
        for runner in runners.values():
            runner.close()
    done = count // rounds * rounds
    return {name: done / seconds for name, seconds in took.items()} | {
        f"{name} cpu": seconds / done for name, seconds in cpu.items()
    }
