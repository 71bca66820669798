"""The worker applying the retention schedule as a real process, killed with SIGKILL at random
points: every field the plan listed is removed exactly once, nothing else is, and the trail
verifies."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from escalation_engine import store
from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import LONDON
from escalation_engine.service import EscalationService
from escalation_engine.trail.openings import redactions
from tests.support.worker import make_site, raise_quick, service, start_worker, stop, wait_for

pytestmark = pytest.mark.slow


def test_retention_after_kill_9_removes_each_due_field_once(tmp_path: Path, db: str) -> None:
    site = make_site(tmp_path, db)
    with (site / "config.yaml").open("a") as config:
        config.write("retention:\n  years_after_closure: 1\n")
    live = service(site)
    past = EscalationService(
        live.settings, live.engine, FakeClock(datetime(2024, 3, 4, 10, tzinfo=LONDON))
    )
    due = []
    for n in range(6):
        reference = raise_quick(past, f"CLA-3000{n:02d}")
        past.act(reference, "jo", "respond", note=f"Spoke to the carer of child {n}.")
        past.act(reference, "aisha", "accept", note="Satisfied.")
        due.append(reference)
    kept = raise_quick(live, "CLA-300099")  # open: kept while open
    listed = {ref: store.texts.kept_for(live.engine, ref) for ref in due}
    untouched = store.texts.kept_for(live.engine, kept)
    assert [d.reference for d in live.retaining.due(datetime.now(LONDON).date())] == due

    rng = random.Random(20261207)
    for _ in range(4):
        worker = start_worker(site, "retain.log")
        try:
            worker.wait(timeout=rng.uniform(0.5, 2.5))
        except subprocess.TimeoutExpired:
            worker.kill()  # SIGKILL: no chance to tidy up
            worker.wait(timeout=30)
    worker = start_worker(site, "retain.log")
    try:
        wait_for(  # the last worker running (a stop before it is up would not be clean) ...
            lambda: f"worker started (pid {worker.pid})" in (site / "retain.log").read_text(),
            60, "the last worker to start",
        )  # fmt: skip
        wait_for(  # ... and every due field removed, by it or by one killed before it
            lambda: all(not store.texts.kept_for(live.engine, ref) for ref in due), 60,
            "every due field to be removed",
        )  # fmt: skip
    finally:
        assert stop(worker) == 0
    removed = Counter(
        (r.reference, r.entry, r.field) for r in redactions(live.engine) if r.rule is not None
    )
    expected = {(ref, seq, field) for ref, fields in listed.items() for seq, field in fields}
    assert set(removed) == expected
    assert set(removed.values()) == {1}
    assert set(untouched) <= set(store.texts.kept_for(live.engine, kept))  # it has climbed since
    report = live.verify_all()
    assert report.ok, report.problem
