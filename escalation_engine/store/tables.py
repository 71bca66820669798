"""The tables: what each row holds, and aware UTC datetimes whatever the database keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Index, String, Text, TypeDecorator
from sqlalchemy.engine.interfaces import Dialect
from sqlmodel import Column, Field, SQLModel


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
    __table_args__ = (
        Index("ix_escalation_next_due", "next_due_at"),
        Index("ix_escalation_raised_open", "raised_by", "closed_at"),  # "what I raised"
        Index("ix_escalation_raised_at", "raised_at"),  # a report reads the years it covers
    )
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
    closed_at: datetime | None = _when(index=True)  # open ones: closed_at IS NULL
    cafcass_referred_at: datetime | None = _when()
    satisfied: str = "[]"
    stages_reached: str = "[]"
    dates: str = "{}"
    audit_head: str = ""
    version: int = 0
    handled_by: str | None = None


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
    #: Ed25519 over the hash, base64; empty where the trail is not signed.
    signature: str = Field(
        default="", sa_column=Column(String(), nullable=False, server_default="")
    )


class EntryTextRow(SQLModel, table=True):
    """The personal text an entry commits to (its note, a meeting's outcome), with the salt of
    its digest: kept beside the entry so that it can be removed (redacted) while the entry,
    which holds only the digest, stays as it was signed. Never changed; removed only by a
    redaction."""

    __tablename__ = "entry_text"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    field: str = Field(primary_key=True)
    salt: str
    text: str = Field(sa_column=Column(Text(), nullable=False))


class CaseDateRow(SQLModel, table=True):
    """The day a child's records may be removed from, as the case-record system says (a looked-
    after child's 75th birthday, say), imported by the data protection officer: the retention
    plan keeps an escalation about the case at least until then. Replaced by a later import."""

    __tablename__ = "case_date"
    case_ref: str = Field(primary_key=True)
    keep_until: date = Field(sa_column=Column(Date(), nullable=False))
    imported_at: datetime = _when(nullable=False)
    imported_by: str
    file_digest: str


class AbsenceRow(SQLModel, table=True):
    """Someone marked away (until a day, or until marked back) or back: append-only, and the
    latest row for a person is how they stand."""

    __tablename__ = "absence"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True)
    away: bool
    until: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    marked_by: str
    at: datetime = _when(nullable=False)
    note: str = ""


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


class InstallationRow(SQLModel, table=True):
    """What the database was created for: live use, or training (written once)."""

    __tablename__ = "installation"
    id: int | None = Field(default=None, primary_key=True)
    training: bool
    created_at: datetime = _when(nullable=False)


class InstallationSealRow(SQLModel, table=True):
    """The installation record's signature, made with the trail's key (written once)."""

    __tablename__ = "installation_seal"
    id: int | None = Field(default=None, primary_key=True)
    signature: str


class AccessRow(SQLModel, table=True):
    """One look by someone other than the raiser: append-only, chained. A look names the
    escalations it showed in ``shown`` (a JSON list: a page of a list is one look); entries
    written before looks were kept by the page name one escalation each in ``reference``."""

    __tablename__ = "access_entry"
    seq: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(nullable=False)
    viewer: str = Field(index=True)
    reference: str = Field(index=True)
    shown: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    view: str
    prev_hash: str
    hash: str = Field(unique=True)
    signature: str = Field(
        default="", sa_column=Column(String(), nullable=False, server_default="")
    )


class AccountRow(SQLModel, table=True):
    """A local account: the Argon2id hash of its password, whether it is disabled, and its
    lockout after repeated failures."""

    __tablename__ = "account"
    username: str = Field(primary_key=True)
    password_hash: str
    disabled: bool
    failures: int
    locked_until: datetime | None = _when()
    created_at: datetime = _when(nullable=False)
    changed_at: datetime = _when(nullable=False)
    changed_by: str


class SignInRow(SQLModel, table=True):
    """One sign-in attempt, successful or not (append-only)."""

    __tablename__ = "sign_in"
    __table_args__ = (Index("ix_sign_in_source_at", "source", "at"),)  # failures per address
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(nullable=False)
    username: str = Field(index=True)
    ok: bool
    method: str
    detail: str
    source: str


class TokenRow(SQLModel, table=True):
    """A signed-in session of the API: the SHA-256 of its bearer token (the token itself is
    never stored), whose it is, how they signed in, and when it expires or was ended."""

    __tablename__ = "api_token"
    token_hash: str = Field(primary_key=True)
    username: str = Field(index=True)
    method: str
    created_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False)
    ended_at: datetime | None = _when()


class SignInPendingRow(SQLModel, table=True):
    """A sign-in with the identity provider begun and not yet finished, kept here so that any
    server process can finish it: the SHA-256 of its handle (the handle is the browser's state or
    the CLI's device handle, never stored), and its secrets sealed under a key only the handle
    gives, until it expires."""

    __tablename__ = "sign_in_pending"
    handle_hash: str = Field(primary_key=True)
    kind: str
    sealed: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False, index=True)


class DeliveryRow(SQLModel, table=True):
    """One attempt to deliver a notice and its outcome (sent, retrying, given up): append-only,
    chained and signed, so a notice marked sent or given up by hand has no record behind it."""

    __tablename__ = "delivery_record"
    seq: int = Field(primary_key=True)
    notification_id: int = Field(index=True)
    audit_seq: int
    digest: str
    outcome: str
    attempt: int
    at: datetime = _when(nullable=False)
    prev_hash: str
    hash: str = Field(unique=True)
    signature: str = ""


class SealRow(SQLModel, table=True):
    """Where a chain (the audit trail, the access log) ends, signed at every write: one row per
    chain, rewritten each time, so cutting entries off the end leaves a seal that names them."""

    __tablename__ = "chain_seal"
    chain: str = Field(primary_key=True)
    seq: int
    hash: str
    signature: str
    #: Raised at every sealing (0: sealed before seals were counted), and when it was sealed.
    counter: int = 0
    sealed_at: datetime | None = _when()


class ImportRow(SQLModel, table=True):
    """One legacy spreadsheet imported: by the SHA-256 of its bytes, so it is imported once."""

    __tablename__ = "legacy_import"
    digest: str = Field(primary_key=True)
    file_name: str
    rows: int
    first_reference: str
    last_reference: str
    imported_at: datetime = _when(nullable=False)
    imported_by: str


class TallyRow(SQLModel, table=True):
    """How many entries of one kind the trail has on one London day, for one workflow version
    and alert type: the report's running counts, kept as entries are written (derived from the
    trail: ``audit verify`` recounts them)."""

    __tablename__ = "report_tally"
    day: date = Field(sa_column=Column(Date(), primary_key=True))
    workflow_digest: str = Field(primary_key=True)
    alert_type: str = Field(primary_key=True)
    action: str = Field(primary_key=True)
    stage: str = Field(primary_key=True)
    detail: str = Field(primary_key=True)
    imported: bool = Field(primary_key=True)
    count: int


class MarkRow(SQLModel, table=True):
    """An entry the report needs by escalation (a rating given, a reopening, a closing's
    reason), by its number in the trail (derived from the trail, as the tally is)."""

    __tablename__ = "report_mark"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    reference: str
    at: datetime = _when(nullable=False, index=True)
    action: str
    detail: str | None = None
    reason: str | None = None


class WatchRow(SQLModel, table=True):
    """Someone starting or stopping to watch an escalation (append-only): told of it as a
    stage's watcher, copied, as the raiser's manager, or of their own asking. The latest row of
    a person's for an escalation says whether they watch it."""

    __tablename__ = "watch"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True)
    reference: str = Field(index=True)
    watching: bool
    #: Why: ``asked``, or the entry's list that named them (``watchers``, ``copy``,
    #: ``raisers_manager``).
    why: str
    at: datetime = _when(nullable=False)


class SeenRow(SQLModel, table=True):
    """The version of an escalation a person last saw (its page, or their own action on it),
    so their lists can say what changed since: kept per person and escalation, replaced at each
    look. Not a record: the access log is."""

    __tablename__ = "seen"
    username: str = Field(primary_key=True)
    reference: str = Field(primary_key=True)
    version: int
    at: datetime = _when(nullable=False)
