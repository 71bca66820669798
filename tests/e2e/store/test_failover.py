"""A PostgreSQL failover survived: the service runs on a primary with a synchronous streaming
standby, both named in ``database_url``; the primary is stopped dead while people raise alerts
through the server, and the standby is promoted. Every raise the server acknowledged is there
afterwards, nothing was raised twice, what was refused in the switch said so (503), the server
carries on against the new primary without a restart, a worker started after the switch takes
up the work, and the trail verifies."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.support.databases import DATABASES
from tests.support.replication import replicated_pair
from tests.support.server import Live, service_folder, serving, sign_in
from tests.support.worker import dispose_all, escalate, start_worker, stop, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        "postgresql" not in DATABASES, reason="PostgreSQL not among ESCALATE_TEST_DATABASES"
    ),
]

CLIENTS = 4
ALERT = {
    "workflow": "dispute_resolution", "alert_type": "practice_alert", "category": "drift_and_delay",
    "team": "north", "summary": "No permanence plan yet.",
}  # fmt: skip


@dataclass
class Load:
    """People raising alerts through the server until told to stop, each case once."""

    live: Live
    acknowledged: dict[str, str] = field(default_factory=dict)  # case → reference
    refused: list[tuple[int, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def person(self, n: int) -> None:
        with sign_in(self.live, "aisha") as aisha:
            for count in range(10_000):
                if self.stop.is_set():
                    return
                case = f"CLA-{n}{count:05d}"
                try:
                    answer = aisha.post("/api/v1/escalations", json=ALERT | {"case_refs": [case]})
                except httpx.HTTPError as exc:  # not acknowledged; said below
                    with self.lock:
                        self.refused.append((0, repr(exc)))
                    continue
                with self.lock:
                    if answer.status_code == 201:
                        self.acknowledged[case] = answer.json()["reference"]
                    else:
                        self.refused.append((answer.status_code, answer.text))

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def test_a_failover_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    with replicated_pair() as pair:
        pair.primary.sql("CREATE DATABASE escalations")
        folder = service_folder(tmp_path, pair.url("escalations"))
        worker = start_worker(folder, "before.log")
        try:
            with serving(folder) as live:
                wait_for(lambda: "worker started" in (folder / "before.log").read_text(), 20,
                         "the worker")  # fmt: skip
                load = Load(live)
                people = [
                    threading.Thread(target=load.person, args=(n + 1,)) for n in range(CLIENTS)
                ]
                for person in people:
                    person.start()
                try:
                    wait_for(lambda: load.count() >= 20, 30, "raises before the switch")
                    pair.primary.crash()
                    before = load.count()
                    pair.standby.promote()
                    wait_for(lambda: load.count() >= before + 20, 60, "raises after the switch")
                finally:
                    load.stop.set()
                    for person in people:
                        person.join(timeout=120)
                # The worker's lock went with the old primary: it stops, for its service
                # manager to start it again, and the one started takes up the work.
                assert worker.wait(timeout=120) != 0
                assert "lost its database session" in (folder / "before.log").read_text()
                worker = start_worker(folder, "after.log")
                wait_for(lambda: "worker started" in (folder / "after.log").read_text(), 20,
                         "a worker on the new primary")  # fmt: skip
                with sign_in(live, "jo") as jo:
                    assert jo.get("/api/v1/inbox").status_code == 200
                with live.service.engine.connect() as session:
                    rows = session.execute(text("SELECT reference, case_refs FROM escalation"))
                    stored = {json.loads(refs)[0]: ref for ref, refs in rows}
        finally:
            if worker.poll() is None:
                assert stop(worker) == 0
            dispose_all()
        assert pair.standby.sql("SELECT pg_is_in_recovery()").strip() == "f"
        missing = {c: r for c, r in load.acknowledged.items() if stored.get(c) != r}
        assert not missing, f"acknowledged but not kept: {missing}"
        assert len(set(stored.values())) == len(stored)  # each raise kept once
        assert all(status == 503 for status, _ in load.refused), load.refused
        verified = escalate(folder, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        # A backup finds the new primary among the hosts named, as the service did.
        key = tmp_path.parent / f"{tmp_path.name}.key"
        assert escalate(folder, "backup-key", str(key)).returncode == 0
        backed = escalate(folder, "backup", str(tmp_path / "after.backup"), "--key-file", str(key))
        assert backed.returncode == 0, backed.stdout + backed.stderr
