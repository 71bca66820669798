"""Races between real processes (eight at a time) on both databases: two people acting at once,
a response against a timeout, and sweeps against sweeps. Exactly one wins, the others are told
plainly and write nothing, and no deadline is applied twice."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.trail import audit
from tests.support.cli import ESCALATE, init_site, raise_alert, run
from tests.support.race_workers import contender
from tests.support.scenarios import practice_alert

CONTENDERS = 8


def race(settings: Settings, now: str, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    processes = [
        context.Process(
            target=contender,
            args=(str(settings.path), settings.database_url, now, barrier, results, job),
        )
        for job in jobs
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=120) for _ in jobs]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return collected


def test_eight_people_acting_at_once_exactly_one_wins_and_the_rest_are_told(
    service: EscalationService, settings: Settings
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "jo", "respond", note="Meeting booked")
    actions = ["accept", "reject", "withdraw", "escalate"] * 2
    jobs = [
        {
            "kind": "act",
            "reference": esc.reference,
            "user": "aisha",
            "action": a,
            "version": esc.version,
        }
        for a in actions
    ]
    results = race(settings, "2026-01-06T10:00:00+00:00", jobs)
    winners = [r for r in results if r["ok"]]
    losers = [r for r in results if not r["ok"]]
    assert len(winners) == 1
    assert len(losers) == CONTENDERS - 1
    now_at = service.get(esc.reference)
    for loser in losers:
        assert loser["error"] == "ConcurrentUpdate"
        # Where it is now, in words: the stage's title, or the outcome it closed with.
        assert (
            f"now version {now_at.version}: {service.words.stage(service.spec_for(now_at), now_at.stage)},"
            in loser["message"]
        )
        assert "Nothing was written" in loser["message"]
    assert [e.action for e in audit.entries(service.engine, esc.reference)] == [
        "raise",
        "respond",
        winners[0]["job"]["action"],
    ]
    assert audit.verify(service.engine).ok


def test_responses_racing_timeouts_never_both_count(
    service: EscalationService, settings: Settings
) -> None:
    references = [
        practice_alert(service, case_refs=[f"CLA-80000{i}"]).reference
        for i in range(CONTENDERS // 2)
    ]
    due = service.get(references[0]).stage_due_at
    assert due is not None
    jobs = [{"kind": "act", "reference": r, "user": "jo", "action": "respond"} for r in references]
    jobs += [{"kind": "tick"} for _ in references]
    race(settings, due.isoformat(), jobs)
    for reference in references:
        actions = [e.action for e in audit.entries(service.engine, reference)]
        stage = service.get(reference).stage
        if "respond" in actions:
            assert "timeout" not in actions
            assert stage == "team_manager"
        else:
            assert actions.count("timeout") == 1
            assert stage == "service_manager"
    assert audit.verify(service.engine).ok


def test_eight_sweeps_at_once_apply_each_deadline_once(
    service: EscalationService, settings: Settings
) -> None:
    for index in range(10):
        practice_alert(service, case_refs=[f"CLA-90000{index}"])
    results = race(
        settings, "2026-02-20T09:00:00+00:00", [{"kind": "tick"} for _ in range(CONTENDERS)]
    )
    assert all(r["ok"] for r in results)
    applied = Counter(
        (e.reference, e.action, e.from_stage, json.loads(e.data)["due_at"])
        for e in audit.entries(service.engine)
        if e.actor_kind == "engine"
    )
    assert max(applied.values()) == 1
    assert sum(len(r["applied"]) for r in results) == sum(applied.values())
    assert all(e.stage == "director" for e in service.all())
    assert audit.verify(service.engine).ok


def _commands_at_once(folder: Path, *args: str) -> list[subprocess.CompletedProcess[str]]:
    """``escalate *args`` started ``CONTENDERS`` times together, as a double click or a retried
    script would send it; each reads the escalation's version itself (no --if-version)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env |= {"ESCALATE_USER": "aisha", "ESCALATE_FAKE_NOW": "2026-01-06T11:00:00+00:00"}
    processes = [
        subprocess.Popen(
            [str(ESCALATE), *args],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(CONTENDERS)
    ]
    finished = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


def test_eight_identical_rejects_at_once_move_it_exactly_once(
    tmp_path: Path, database_url: str
) -> None:
    init_site(tmp_path, database_url)
    reference = str(raise_alert(tmp_path)["reference"])
    responded = run(
        tmp_path, "respond", reference, "--note", "Meeting booked", user="jo",
        now="2026-01-06T10:00:00+00:00",
    )  # fmt: skip
    assert responded.returncode == 0, responded.stderr
    results = _commands_at_once(tmp_path, "reject", reference, "--note", "No date for it")
    assert sorted(r.returncode for r in results) == [0] + [1] * (CONTENDERS - 1)
    for refused in (r for r in results if r.returncode):
        assert "Nothing was written" in " ".join(refused.stderr.split())
    trail = json.loads(run(tmp_path, "audit", reference, "--json").stdout)
    assert [entry["action"] for entry in trail] == ["raise", "respond", "reject"]
    shown = json.loads(run(tmp_path, "show", reference, "--json").stdout)
    assert shown["stage"] == "service_manager"


def test_a_second_response_is_refused_and_force_is_recorded(
    tmp_path: Path, database_url: str
) -> None:
    init_site(tmp_path, database_url)
    reference = str(raise_alert(tmp_path)["reference"])
    first = run(tmp_path, "respond", reference, "--note", "Booked", user="jo")
    assert first.returncode == 0, first.stderr
    again = run(tmp_path, "respond", reference, "--note", "Booked", user="jo")
    assert again.returncode == 1
    assert "already has a response" in " ".join(again.stderr.split())
    both = run(tmp_path, "reject", reference, "--note", "No", "--force", "--if-version", "1")
    assert both.returncode != 0
    assert "not both" in both.stderr
    forced = run(tmp_path, "reject", reference, "--note", "No date", "--force")
    assert forced.returncode == 0, forced.stderr
    trail = json.loads(run(tmp_path, "audit", reference, "--json").stdout)
    assert [entry["action"] for entry in trail] == ["raise", "respond", "reject"]
    assert trail[-1]["data"]["forced"] is True
    assert "forced" not in trail[1]["data"]
