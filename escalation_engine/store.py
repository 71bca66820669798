"""The database: tables, the engine, and the mapping between rows and domain escalations.

SQLite is the embedded default. Three settings make it safe for several processes at once: WAL
(readers never block the writer, nor wait for it), a busy timeout (a writer waits its turn instead
of failing), and ``BEGIN IMMEDIATE`` for every transaction that writes (``unit_of_work``), because
a deferred transaction whose read-then-write meets another writer can lose an update.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Index, TypeDecorator, event, inspect, text
from sqlalchemy.engine.interfaces import Dialect
from sqlmodel import Column, Field, Session, SQLModel, create_engine, select

from .errors import EscalationNotFound
from .escalation import Escalation


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store naive datetime {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class WorkflowVersionRow(SQLModel, table=True):
    """Every workflow version an escalation has run under, kept verbatim."""

    __tablename__ = "workflow_version"
    digest: str = Field(primary_key=True)
    name: str = Field(index=True)
    version: int
    source: str
    text: str
    first_used_at: datetime = _when(nullable=False)


class ReferenceCounterRow(SQLModel, table=True):
    __tablename__ = "reference_counter"
    year: int = Field(primary_key=True)
    last: int = 0


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_next_due", "next_due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    workflow: str = Field(index=True)
    workflow_digest: str = Field(foreign_key="workflow_version.digest")
    alert_type: str
    category: str = Field(index=True)
    case_refs: str  # JSON list
    summary: str
    team: str
    looked_after: bool = True
    raised_by: str = Field(index=True)
    raised_at: datetime = _when(nullable=False)
    stage: str = Field(index=True)
    status: str
    rag: str | None = None
    with_roles: str = "[]"
    with_people: str = "[]"
    stage_entered_at: datetime | None = _when()
    stage_due_at: datetime | None = _when()
    remind_at: datetime | None = _when()
    overall_started_at: datetime | None = _when()
    overall_due_at: datetime | None = _when()
    overall_breached_at: datetime | None = _when()
    stage_breached_at: datetime | None = _when()
    next_due_at: datetime | None = _when()
    last_stage: str | None = None
    outcome: str | None = None
    closed_at: datetime | None = _when()
    cafcass_referred_at: datetime | None = _when()
    satisfied: str = "[]"
    stages_reached: str = "[]"
    dates: str = "{}"
    audit_head: str = ""
    version: int = 0


class AuditRow(SQLModel, table=True):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_entry"
    seq: int | None = Field(default=None, primary_key=True)
    schema_version: int = 1
    reference: str = Field(index=True)
    at: datetime = _when(nullable=False)
    actor: str
    actor_kind: str  # "person" or "engine"
    action: str
    from_stage: str | None = None
    to_stage: str | None = None
    note: str = ""
    data: str = "{}"
    prev_hash: str
    hash: str = Field(unique=True)


class NotificationRow(SQLModel, table=True):
    """The outbox: one message to one recipient over one channel, written in the same
    transaction as the change that caused it and delivered later by the worker."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True)
    audit_seq: int
    event: str
    channel: str  # "email" or "webhook"
    recipient: str  # username, or "" for a webhook
    address: str
    subject: str
    body: str
    status: str = "pending"  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = _when(nullable=False)
    last_error: str = ""
    created_at: datetime = _when(nullable=False)
    sent_at: datetime | None = _when()


class DeliveryAttemptRow(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    at: datetime = _when(nullable=False)
    ok: bool
    error: str = ""


class WorkerRow(SQLModel, table=True):
    """One run of ``escalate run``: who, where, and its latest sign of life."""

    __tablename__ = "worker"
    id: int | None = Field(default=None, primary_key=True)
    pid: int
    host: str
    started_at: datetime = _when(nullable=False)
    heartbeat_at: datetime = _when(nullable=False)
    stopped_at: datetime | None = _when()
    sweep_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str = Field(default="", sa_column_kwargs={"server_default": ""})
    failing_since: datetime | None = _when()


#: How long a SQLite writer waits for another's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 30
#: Execution option that marks a connection's transaction as one that writes.
WRITE_OPTION = "escalate_writes"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front and queue for it; readers start a plain (deferred)
        # transaction, which in WAL mode reads a snapshot and never waits for, or blocks, a writer.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        )
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema (tables, and the guards that make the audit
    trail append-only) through the migrations."""
    from .migrate import upgrade

    upgrade(engine)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: everything inside commits together or not at all."""
    writer = engine.execution_options(**{WRITE_OPTION: True})
    with Session(writer, expire_on_commit=False) as session, session.begin():
        yield session


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


_PLAIN = (
    "reference", "workflow", "workflow_digest", "alert_type", "category", "summary", "team",
    "looked_after", "raised_by", "raised_at", "stage", "status", "rag", "stage_entered_at",
    "stage_due_at", "remind_at", "overall_started_at", "overall_due_at", "overall_breached_at",
    "stage_breached_at", "last_stage", "outcome", "closed_at", "cafcass_referred_at", "version",
)  # fmt: skip


def row_values(escalation: Escalation) -> dict[str, Any]:
    """The column values that store a domain escalation."""
    values: dict[str, Any] = {name: getattr(escalation, name) for name in _PLAIN}
    values |= {
        "case_refs": _json(list(escalation.case_refs)),
        "with_roles": _json(list(escalation.with_roles)),
        "with_people": _json(list(escalation.with_people)),
        "satisfied": _json(list(escalation.satisfied)),
        "stages_reached": _json(list(escalation.stages_reached)),
        "dates": _json({k: v.isoformat() for k, v in escalation.dates.items()}),
        "next_due_at": escalation.next_due_at,
    }
    return values


def from_row(row: EscalationRow) -> Escalation:
    return Escalation(
        reference=row.reference,
        workflow=row.workflow,
        workflow_digest=row.workflow_digest,
        alert_type=row.alert_type,
        category=row.category,
        case_refs=tuple(json.loads(row.case_refs)),
        summary=row.summary,
        team=row.team,
        looked_after=row.looked_after,
        raised_by=row.raised_by,
        raised_at=row.raised_at,
        stage=row.stage,
        status=row.status,
        rag=row.rag,
        with_roles=tuple(json.loads(row.with_roles)),
        with_people=tuple(json.loads(row.with_people)),
        stage_entered_at=row.stage_entered_at,
        stage_due_at=row.stage_due_at,
        remind_at=row.remind_at,
        overall_started_at=row.overall_started_at,
        overall_due_at=row.overall_due_at,
        overall_breached_at=row.overall_breached_at,
        stage_breached_at=row.stage_breached_at,
        last_stage=row.last_stage,
        outcome=row.outcome,
        closed_at=row.closed_at,
        cafcass_referred_at=row.cafcass_referred_at,
        satisfied=tuple(json.loads(row.satisfied)),
        stages_reached=tuple(json.loads(row.stages_reached)),
        dates={k: date.fromisoformat(v) for k, v in json.loads(row.dates).items()},
        version=row.version,
    )


#: Advisory-lock key that serialises appends to the audit chain on PostgreSQL ("IROAUDIT").
AUDIT_LOCK_KEY = 0x49524F4155444954


def serialize_writes(session: Session) -> None:
    """Hold the audit-chain lock until the transaction ends.

    The chain is one sequence: each entry names the hash of the one before, so appends must not
    interleave. SQLite's ``BEGIN IMMEDIATE`` already gives one writer at a time; PostgreSQL gets a
    transaction-scoped advisory lock, released by commit or rollback (or a dropped connection).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def get_row(session: Session, reference: str, *, lock: bool = False) -> EscalationRow:
    """The row for ``reference``; with ``lock``, held against other writers until commit
    (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction already excludes them)."""
    query = select(EscalationRow).where(EscalationRow.reference == reference.upper())
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise EscalationNotFound(
            f"No escalation has the reference {reference!r}. References look like ESC-2026-0042;"
            " 'escalate list' shows them."
        )
    return row


def next_reference(session: Session, year: int) -> str:
    """The next ``ESC-<year>-NNNN`` reference, allocated inside the caller's transaction."""
    serialize_writes(session)
    counter = session.get(ReferenceCounterRow, year)
    if counter is None:
        counter = ReferenceCounterRow(year=year, last=0)
    counter.last += 1
    session.add(counter)
    session.flush()
    return f"ESC-{year}-{counter.last:04d}"


#: The newest schema revision (the last migration's id). Commands compare the database with it
#: without loading Alembic; a test keeps it equal to the migrations' head.
SCHEMA_HEAD = "0003"


def schema_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
