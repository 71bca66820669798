"""The worker as a real process: deadlines take effect by themselves, notifications arrive, and
stops, crashes, downtime and a mail outage lose or double nothing."""

from __future__ import annotations

import email.policy
import json
import random
import signal
import subprocess
from collections import Counter
from datetime import timedelta
from email import message_from_string
from pathlib import Path

import pytest

from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.service.outbox import undelivered
from escalation_engine.trail import audit
from tests.support.databases import DATABASES, postgres_database
from tests.support.worker import (
    ESCALATE,
    Hooks,
    Mail,
    assert_each_deadline_applied_once,
    dispose_all,
    free_port,
    make_site,
    raise_quick,
    service,
    start_smtp,
    start_worker,
    stop,
    wait_for,
)


def engine_entries(svc, reference: str) -> list[audit.AuditRow]:  # type: ignore[no-untyped-def]
    return [e for e in audit.entries(svc.engine, reference) if e.actor_kind == "engine"]


def test_an_alert_raised_by_another_process_climbs_on_its_own_and_people_are_told(
    tmp_path: Path, db: str
) -> None:
    port, hooks = free_port(), Hooks()
    controller, inbox = start_smtp(port)
    site = make_site(tmp_path, db, smtp_port=port, webhook=hooks.url)
    worker = start_worker(site)
    try:
        result = subprocess.run(
            [str(ESCALATE), "raise", "--as", "aisha", "--workflow", "quick_ladder", "--type", "quick_alert",
             "--case", "CLA-100234", "--category", "placement", "--team", "north", "--summary", "x", "--json"],
            cwd=site, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        reference = json.loads(result.stdout)["reference"]
        svc = service(site)
        wait_for(
            lambda: svc.get(reference).stage == "director", 30, "the alert to reach the director"
        )
        mail_to = {rcpt for rcpts, _ in inbox.messages for rcpt in rcpts}
        wait_for(
            lambda: (
                {"jo.bennett@example.org", "mark.ellis@example.org"}
                <= {r for m in inbox.messages for r in m[0]}
            ),
            15,
            "email to the tiers",
        )
        mail_to = {rcpt for rcpts, _ in inbox.messages for rcpt in rcpts}
        assert "priya.shah@example.org" in mail_to  # the standing watcher
        texts = [
            message_from_string(body, policy=email.policy.default).get_body().get_content()  # type: ignore[union-attr]
            for _, body in inbox.messages
        ]
        assert texts
        assert all("A concern" not in text for text in texts)  # no free text by default
        wait_for(lambda: any(h["event"] == "timeout" for h in hooks.received), 15, "a webhook call")
        assert any(reference in h["text"] for h in hooks.received)
        asked = subprocess.run(
            [str(ESCALATE), "status", "--json"], cwd=site, capture_output=True, text=True
        )
        assert asked.stdout, asked.stderr
        status = json.loads(asked.stdout)
        assert status["worker_alive"] is True
        assert status["overdue"] == 0
        assert_each_deadline_applied_once(svc)
    finally:
        assert stop(worker) == 0
        controller.stop()
        hooks.close()
    finished = subprocess.run(
        [str(ESCALATE), "status", "--json"], cwd=site, capture_output=True, text=True
    )
    assert finished.returncode == 1  # no worker alive: monitoring sees a failure
    assert json.loads(finished.stdout)["worker_alive"] is False


def test_a_second_worker_on_the_same_sqlite_database_refuses_to_start(tmp_path: Path) -> None:
    site = make_site(tmp_path, f"sqlite:///{tmp_path / 'escalations.db'}")
    worker = start_worker(site)
    try:
        lock = site / "escalations.db.worker.lock"
        wait_for(lambda: lock.exists() and lock.read_text(), 20, "the first worker's lock")
        second = subprocess.run(
            [str(ESCALATE), "run"], cwd=site, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1
        assert f"pid {worker.pid}" in " ".join(second.stderr.split())
    finally:
        assert stop(worker) == 0


def test_deadlines_that_passed_while_the_worker_was_down_are_applied_once_oldest_first(
    tmp_path: Path, db: str
) -> None:
    site = make_site(tmp_path, db)
    svc = service(site)
    references = [raise_quick(svc, f"CLA-10000{i}") for i in range(3)]
    due = {r: svc.get(r).stage_due_at for r in references}
    wait_for(lambda: svc.queries.overdue(svc.clock.now()) == 3, 20, "all three deadlines to pass")
    worker = start_worker(site)
    try:
        wait_for(
            lambda: all(svc.get(r).stage != "team_manager" for r in references),
            30,
            "the backlog to be applied",
        )
    finally:
        assert stop(worker) == 0
    first_timeouts = sorted(
        (
            e
            for r in references
            for e in engine_entries(svc, r)
            if e.action == "timeout" and e.from_stage == "team_manager"
        ),
        key=lambda e: e.seq or 0,
    )
    assert [e.reference for e in first_timeouts] == sorted(
        references, key=lambda r: due[r]
    )  # oldest first
    for entry in first_timeouts:
        data = json.loads(entry.data)
        assert data["due_at"] == due[entry.reference].isoformat()  # type: ignore[union-attr]
        assert data["applied_at"] > data["due_at"]  # lateness is on the record
    assert_each_deadline_applied_once(svc)


def test_killing_the_worker_at_random_points_loses_and_doubles_nothing(
    tmp_path: Path, db: str
) -> None:
    site = make_site(tmp_path, db)
    svc = service(site)
    rng = random.Random(20261122)
    references = []
    for cycle in range(20):
        if cycle % 4 == 0:
            references.append(raise_quick(svc, f"CLA-2000{cycle:02d}"))
        worker = start_worker(site, "crash.log")
        subprocess_delay = rng.uniform(0.3, 2.0)
        try:
            worker.wait(timeout=subprocess_delay)
        except subprocess.TimeoutExpired:
            worker.kill()  # SIGKILL: no chance to tidy up
            worker.wait(timeout=30)
    worker = start_worker(site, "crash.log")
    try:
        wait_for(
            lambda: all(svc.get(r).stage_breached_at is not None for r in references),
            60,
            "every alert to reach the top",
        )
    finally:
        assert stop(worker) == 0
    for reference in references:
        timeouts = [
            (e.from_stage, e.to_stage)
            for e in engine_entries(svc, reference)
            if e.action == "timeout"
        ]
        assert timeouts == [("team_manager", "service_manager"), ("service_manager", "director")]
    assert_each_deadline_applied_once(svc)


def test_a_mail_server_that_is_down_delays_delivery_but_loses_and_doubles_nothing(
    tmp_path: Path, db: str
) -> None:
    port = free_port()
    site = make_site(tmp_path, db, smtp_port=port)
    svc = service(site)
    worker = start_worker(site)
    try:
        raise_quick(svc)
        wait_for(
            lambda: "ConnectionRefusedError" in (site / "worker.log").read_text(),
            20,
            "a failed delivery attempt",
        )
        assert undelivered(svc.engine) > 0
        controller, inbox = start_smtp(port)
        try:
            wait_for(
                lambda: undelivered(svc.engine) == 0 and inbox.messages,
                30,
                "delivery after the outage",
            )
        finally:
            controller.stop()
    finally:
        assert stop(worker) == 0
    delivered = Counter(
        (tuple(rcpts), str(message_from_string(body, policy=email.policy.default)["Subject"]))
        for rcpts, body in inbox.messages
    )
    assert all(count == 1 for count in delivered.values()), delivered


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_stops_cleanly_on_a_signal(tmp_path: Path, db: str, signum: int) -> None:
    site = make_site(tmp_path, db)
    worker = start_worker(site)
    wait_for(
        lambda: "worker started" in (site / "worker.log").read_text(), 20, "the worker to start"
    )
    worker.send_signal(signum)
    assert worker.wait(timeout=30) == 0
    assert "worker stopped cleanly" in (site / "worker.log").read_text()


@pytest.mark.skipif(
    "postgresql" not in DATABASES, reason="PostgreSQL not among ESCALATE_TEST_DATABASES"
)
def test_a_hot_standby_takes_over_after_kill_9(tmp_path: Path) -> None:
    with postgres_database() as url:
        site = make_site(tmp_path, url)
        svc = service(site)
        active = start_worker(site, "active.log")
        wait_for(
            lambda: "worker started" in (site / "active.log").read_text(), 20, "the active worker"
        )
        standby = start_worker(site, "standby.log")
        try:
            wait_for(lambda: "standing by" in (site / "standby.log").read_text(), 20, "the standby")
            assert f"pid {active.pid}" in (site / "standby.log").read_text()
            reference = raise_quick(svc)
            active.kill()
            active.wait(timeout=30)
            wait_for(
                lambda: "taking over" in (site / "standby.log").read_text(),
                10,
                "the standby to take over",
            )
            wait_for(
                lambda: svc.get(reference).stage == "director",
                30,
                "the alert to climb under the new worker",
            )
            assert_each_deadline_applied_once(svc)
        finally:
            assert stop(standby) == 0
            dispose_all()


def test_a_worker_started_late_tells_the_iro_manager_of_the_deadlines_it_found_passed(
    tmp_path: Path, db: str, mail: Mail
) -> None:
    site = make_site(tmp_path, db, smtp_port=mail.port)
    svc = service(site)
    # Raised two days ago, while no worker ran: its deadlines passed long since.
    earlier = EscalationService(
        svc.settings, svc.engine, FakeClock(svc.clock.now() - timedelta(days=2))
    )
    raise_quick(earlier)
    worker = start_worker(site)
    try:
        wait_for(
            lambda: mail.told("priya.shah@example.org", "Escalation engine alarm",
                              "passed with no move by the engine"),
            30, "the alarm to the IRO manager",
        )  # fmt: skip
    finally:
        assert stop(worker) == 0
    assert "alarm told to the IRO managers" in (site / "worker.log").read_text()
