"""A stored clock moved without an entry (a deadline pushed a year out by the application's own
database role) is named by ``status`` and ``audit verify``; the worker puts it back to what the
trail says as it starts, with an entry that tells the IRO manager, and the escalation climbs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from escalation_engine.trail import audit
from tests.support.worker import (
    Mail,
    escalate,
    make_site,
    service,
    start_worker,
    stop,
    wait_for,
)


def test_a_deadline_moved_by_sql_is_named_then_put_back_and_the_iro_manager_told(
    tmp_path: Path, db: str, mail: Mail
) -> None:
    site = make_site(tmp_path, db, smtp_port=mail.port)
    svc = service(site)
    reference = svc.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="placement", summary="A concern", team="north",
    ).reference  # fmt: skip
    due = svc.get(reference).stage_due_at
    later = datetime(2027, 12, 1, 17, tzinfo=UTC)
    with svc.engine.begin() as connection:
        connection.execute(
            text("UPDATE escalation SET stage_due_at = :v, next_due_at = :v WHERE reference = :r"),
            {"v": later, "r": reference},
        )
    status = escalate(site, "status", "--json")
    assert status.returncode == 1
    moved = json.loads(status.stdout)["clocks_disagreeing_with_trail"][reference]
    assert "its stage deadline is stored as Wed 01 Dec 2027 17:00" in moved
    verified = escalate(site, "audit", "verify")
    assert verified.returncode == 1
    assert "its stored stage deadline is Wed 01 Dec 2027 17:00" in " ".join(verified.stderr.split())
    shown = escalate(site, "show", reference, "--as", "priya")
    assert "does not match its audit trail" in " ".join(shown.stderr.split())
    worker = start_worker(site)
    try:
        entry = wait_for(
            lambda: [e for e in audit.entries(svc.engine, reference) if e.action == "reconcile"],
            30,
            "the worker to put the deadline back",
        )[0]
        wait_for(
            lambda: mail.told("priya.shah@example.org", reference), 30, "the IRO manager to be told"
        )
    finally:
        assert stop(worker) == 0
    assert entry.actor_kind == "engine"
    assert "stage deadline is stored as Wed 01 Dec 2027 17:00" in entry.note
    assert service(site).get(reference).stage_due_at == due
    assert escalate(site, "audit", "verify").returncode == 0
    status = json.loads(escalate(site, "status", "--json").stdout)
    assert status["clocks_disagreeing_with_trail"] == {}
