"""The repository: every table, query and write, behind functions the service calls.

Nothing outside this package issues SQL. The service holds the rules and calls these functions
inside its transactions (``unit_of_work``); reads open their own short sessions.
"""

from __future__ import annotations

from escalation_engine.store import (
    absences,
    access,
    accounts,
    case_dates,
    deliveries,
    imports,
    installation,
    pendings,
    reporting,
    seals,
    search,
    seen,
    tallies,
    texts,
    tokens,
    watches,
    workers,
    workflows,
)
from escalation_engine.store.chain import (
    CHUNK,
    actions_and_data,
    chain_end,
    chain_end_and_seal,
    chain_head,
    count_entries,
    dangling_heads,
    entries,
    entry_hash_at,
    head,
    insert_entries,
    insert_entry,
    last_entry,
    open_with_latest,
    recorded_heads,
    stream_entries,
    stream_entries_by_reference,
    stream_promising,
    stream_rows_by_reference,
)
from escalation_engine.store.engine import (
    AUDIT_LOCK_KEY,
    BUSY_TIMEOUT_SECONDS,
    SCHEMA_HEAD,
    WRITE_OPTION,
    Reader,
    create_schema,
    make_engine,
    ping,
    reading,
    schema_revision,
    serialize_writes,
    snapshot,
    unit_of_work,
)
from escalation_engine.store.escalations import (
    Loaded,
    case_references,
    case_references_raised_by,
    claim_due,
    claim_open,
    escalation_and_trail,
    everything,
    first_matching,
    from_row,
    get,
    insert_many,
    insert_new,
    last_raised_by,
    load,
    matching,
    next_due,
    next_reference,
    open_of,
    overdue,
    row_values,
    save,
)
from escalation_engine.store.failover import once_more_if_lost
from escalation_engine.store.notifications import lease_due as lease_notifications
from escalation_engine.store.notifications import queue as queue_notifications
from escalation_engine.store.notifications import undelivered
from escalation_engine.store.servers import create_database, drop_database
from escalation_engine.store.tables import (
    AbsenceRow,
    AuditRow,
    DeliveryAttemptRow,
    EscalationRow,
    NotificationRow,
    ReferenceCounterRow,
    UTCDateTime,
    WorkerRow,
    WorkflowVersionRow,
)

__all__ = [
    "AUDIT_LOCK_KEY", "BUSY_TIMEOUT_SECONDS", "CHUNK", "SCHEMA_HEAD", "WRITE_OPTION", "Reader", "reading", "snapshot", "AbsenceRow", "AuditRow",
    "DeliveryAttemptRow", "EscalationRow", "Loaded", "NotificationRow", "ReferenceCounterRow",
    "UTCDateTime", "WorkerRow", "WorkflowVersionRow", "actions_and_data", "chain_end", "chain_head", "open_with_latest", "claim_due", "count_entries",
    "create_schema", "dangling_heads", "entries", "entry_hash_at", "escalation_and_trail", "everything", "from_row", "get",
    "insert_entries", "insert_entry", "insert_many", "insert_new", "last_entry", "load", "make_engine", "next_due", "next_reference",
    "overdue", "ping", "recorded_heads", "row_values", "save", "schema_revision",
    "serialize_writes", "stream_entries", "stream_promising", "unit_of_work", "lease_notifications",
    "queue_notifications", "undelivered", "tokens", "workers", "workflows", "create_database", "drop_database",
    "case_references", "first_matching", "matching", "open_of", "watches", "absences", "claim_open", "head", "stream_entries_by_reference",
    "stream_rows_by_reference", "installation", "access", "case_references_raised_by", "last_raised_by", "accounts", "deliveries", "seals", "search", "imports", "reporting", "seen", "tallies", "texts", "case_dates", "pendings", "once_more_if_lost", "chain_end_and_seal",
]  # fmt: skip
