"""Two servers and two workers on one PostgreSQL database, as two hosts behind a load balancer
would run them: a sign-in at one is good at the other, what one writes the other reads at once,
a hundred raises at once through both lose and double nothing, and when the active worker is
killed the standby takes over and the deadlines still fire once."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from tests.support.databases import DATABASES, postgres_database
from tests.support.server import Live, service_folder, serving, sign_in
from tests.support.shipped import ROOT
from tests.support.worker import (
    assert_each_deadline_applied_once,
    dispose_all,
    escalate,
    start_worker,
    stop,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        "postgresql" not in DATABASES, reason="PostgreSQL not among ESCALATE_TEST_DATABASES"
    ),
]

RAISES = 100


@dataclass
class Hosts:
    first: Live
    second: Live


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    """One service folder copied to a second "host" (config, workflows, signing key alike), each
    serving from its own process on the one database."""
    first = tmp_path_factory.mktemp("host-a")
    shutil.copytree(ROOT / "workflows", first / "workflows")
    shutil.copy(ROOT / "examples" / "workflows" / "quick_ladder.yaml", first / "workflows")
    with postgres_database() as url:
        service_folder(first, url, "worker:\n  sweep_seconds: 1\n")
        second = tmp_path_factory.mktemp("host-b") / "service"
        shutil.copytree(first, second)
        with serving(first) as a, serving(second) as b:
            yield Hosts(a, b)
        dispose_all()


def _raise(client: httpx.Client, case: str, workflow: str = "dispute_resolution") -> httpx.Response:
    alert = "quick_alert" if workflow == "quick_ladder" else "practice_alert"
    return client.post("/api/v1/escalations", json={
        "workflow": workflow, "alert_type": alert, "case_refs": [case],
        "category": "drift_and_delay", "team": "north", "summary": "No permanence plan yet.",
    })  # fmt: skip


def test_a_sign_in_at_one_host_is_good_at_the_other_and_its_end_ends_it_at_both(
    hosts: Hosts,
) -> None:
    with sign_in(hosts.first, "jo") as at_first:
        headers = dict(at_first.headers)
        with httpx.Client(base_url=hosts.second.url, headers=headers, timeout=30) as at_second:
            assert at_second.get("/api/v1/me").json()["username"] == "jo"
            assert at_second.delete("/api/v1/sessions/current").status_code == 200
            assert at_first.get("/api/v1/me").status_code == 401


def test_what_one_host_writes_the_other_reads_at_once(hosts: Hosts) -> None:
    with sign_in(hosts.first, "aisha") as aisha, sign_in(hosts.second, "jo") as jo:
        answer = _raise(aisha, "CLA-300001")
        assert answer.status_code == 201, answer.text
        reference = answer.json()["reference"]
        shown = jo.get(f"/api/v1/escalations/{reference}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["stage"] == answer.json()["stage"]
        responded = jo.post(
            f"/api/v1/escalations/{reference}/actions/respond", json={"note": "Plan by Friday."}
        )
        assert responded.status_code == 200, responded.text
        assert (
            aisha.get(f"/api/v1/escalations/{reference}").json()["version"]
            == (responded.json()["version"])
        )


def test_a_hundred_raises_at_once_through_both_hosts_each_land_once(hosts: Hosts) -> None:
    with sign_in(hosts.first, "aisha") as first, sign_in(hosts.second, "aisha") as second:
        cases = [f"CLA-4{n:05d}" for n in range(RAISES)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(
                lambda n: _raise((first, second)[n % 2], cases[n]), range(RAISES)
            ))  # fmt: skip
    assert [a.status_code for a in answers] == [201] * RAISES, {a.text for a in answers}
    references = {a.json()["reference"] for a in answers}
    assert len(references) == RAISES
    with hosts.first.service.engine.connect() as session:
        rows = session.execute(text("SELECT reference, case_refs FROM escalation")).all()
    stored = {ref: json.loads(refs)[0] for ref, refs in rows if json.loads(refs)[0] in cases}
    assert set(stored) == references
    assert sorted(stored.values()) == cases  # each case raised once
    verified = escalate(hosts.second.folder, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_standby_worker_on_the_other_host_takes_over_after_kill_9(hosts: Hosts) -> None:
    active = start_worker(hosts.first.folder, "active.log")
    standby = None
    try:
        log = hosts.first.folder / "active.log"
        wait_for(lambda: "worker started" in log.read_text(), 20, "the active worker")
        standby = start_worker(hosts.second.folder, "standby.log")
        waiting = hosts.second.folder / "standby.log"
        wait_for(lambda: "standing by" in waiting.read_text(), 20, "the standby")
        with sign_in(hosts.second, "aisha") as aisha:
            answer = _raise(aisha, "CLA-500001", "quick_ladder")
            assert answer.status_code == 201, answer.text
        reference = answer.json()["reference"]
        active.kill()
        active.wait(timeout=30)
        wait_for(lambda: "taking over" in waiting.read_text(), 10, "the standby to take over")
        service = hosts.first.service
        wait_for(lambda: service.get(reference).stage == "director", 30, "the climb")
        assert_each_deadline_applied_once(service)
    finally:
        if active.poll() is None:
            active.kill()
            active.wait()
        if standby is not None:
            assert stop(standby) == 0
