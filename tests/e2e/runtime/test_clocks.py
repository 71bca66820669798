"""A stored clock moved without an entry (a deadline pushed a year out by the application's own
database role) is named by ``status`` and ``audit verify``; the worker puts it back to what the
trail says as it starts, with an entry that tells the IRO manager, and the escalation climbs."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from escalation_engine.trail import audit
from tests.support.databases import DATABASES, database
from tests.support.worker import (
    ESCALATE,
    dispose_all,
    free_port,
    make_site,
    service,
    start_smtp,
    start_worker,
    stop,
    wait_for,
)


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        try:
            yield url
        finally:
            dispose_all()


def _escalate(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ESCALATE), *args], cwd=site, capture_output=True, text=True, timeout=60
    )


def test_a_deadline_moved_by_sql_is_named_then_put_back_and_the_iro_manager_told(
    tmp_path: Path, db: str
) -> None:
    port = free_port()
    controller, inbox = start_smtp(port)
    site = make_site(tmp_path, db, smtp_port=port)
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
    status = _escalate(site, "status", "--json")
    assert status.returncode == 1
    moved = json.loads(status.stdout)["clocks_disagreeing_with_trail"][reference]
    assert "its stage deadline is stored as 2027-12-01T17:00:00+00:00" in moved
    verified = _escalate(site, "audit", "verify")
    assert verified.returncode == 1
    assert "its stored stage deadline is 2027-12-01T17:00:00+00:00" in " ".join(
        verified.stderr.split()
    )
    shown = _escalate(site, "show", reference, "--as", "priya")
    assert "does not match its audit trail" in " ".join(shown.stderr.split())
    worker = start_worker(site)
    try:
        entry = wait_for(
            lambda: [e for e in audit.entries(svc.engine, reference) if e.action == "reconcile"],
            30,
            "the worker to put the deadline back",
        )[0]
        wait_for(
            lambda: any(
                "priya.shah@example.org" in to and reference in body for to, body in inbox.messages
            ),
            30,
            "the IRO manager to be told",
        )
    finally:
        assert stop(worker) == 0
        controller.stop()
    assert entry.actor_kind == "engine"
    assert "stage deadline is stored as 2027-12-01T17:00:00+00:00" in entry.note
    assert service(site).get(reference).stage_due_at == due
    assert _escalate(site, "audit", "verify").returncode == 0
    status = json.loads(_escalate(site, "status", "--json").stdout)
    assert status["clocks_disagreeing_with_trail"] == {}
