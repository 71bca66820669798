"""When reality changes under a running service (everyone who could take a stage is away, or
config.yaml's people change), an escalation never sits with nobody: it falls back, the trail says
why, the IRO manager is told, and ``status`` keeps the alarm until someone who can take it has it."""

from __future__ import annotations

import json
from pathlib import Path

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

PRIYA = "priya.shah@example.org"


def _raise(svc) -> str:  # type: ignore[no-untyped-def]
    return str(
        svc.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=["CLA-100234"], category="placement", summary="A concern", team="north",
        ).reference
    )  # fmt: skip


def _status(site: Path) -> tuple[int, dict[str, object]]:
    result = escalate(site, "status", "--json")
    return result.returncode, json.loads(result.stdout)


def test_everyone_away_falls_back_to_the_iro_manager_who_is_told_until_someone_is_back(
    tmp_path: Path, db: str, mail: Mail
) -> None:
    site = make_site(tmp_path, db, smtp_port=mail.port)
    svc = service(site)
    reference = _raise(svc)
    for who in ("jo", "ellie", "dev", "mark"):
        svc.mark(who, who, away=True)
    held = svc.get(reference)
    assert held.with_people == ("priya",)
    last = audit.entries(svc.engine, reference)[-1]
    routed = json.loads(last.data)["routed"]
    assert last.action == "reroute"
    assert "nobody stands in: with priya, the IRO manager" in routed
    code, report = _status(site)
    alarms = report["escalations_reaching_nobody"]
    assert isinstance(alarms, dict)
    assert code == 1
    assert alarms[reference].startswith("is held by a fallback at team_manager")
    worker = start_worker(site)
    try:
        wait_for(lambda: mail.told(PRIYA, reference), 30, "the IRO manager to be told")
    finally:
        assert stop(worker) == 0
    svc.mark("jo", "jo", away=False)
    assert svc.get(reference).with_people == ("jo",)
    _, report = _status(site)
    assert reference not in report["escalations_reaching_nobody"]  # type: ignore[operator]
    assert audit.verify(svc.engine).ok


def test_the_worker_re_routes_for_the_people_as_config_yaml_now_lists_them(
    tmp_path: Path, db: str
) -> None:
    site = make_site(tmp_path, db)
    svc = service(site)
    reference = _raise(svc)
    assert set(svc.get(reference).with_people) == {"ellie", "jo"}
    config = site / "config.yaml"
    # Jo and Ellie move on to other posts: north's stand-in, the duty manager, takes the stage.
    config.write_text(
        config.read_text()
        .replace("roles: [assistant_team_manager]", "roles: [social_worker]")
        .replace("roles: [team_manager]", "roles: [social_worker]")
    )
    worker = start_worker(site)
    try:
        entry = wait_for(
            lambda: [e for e in audit.entries(svc.engine, reference) if e.action == "reroute"],
            30,
            "the worker to re-route as it starts",
        )[0]
    finally:
        assert stop(worker) == 0
    assert entry.actor_kind == "engine"
    assert entry.note == "the people who can act on it changed"
    data = json.loads(entry.data)
    assert (data["previously"], data["to"]) == (["ellie", "jo"], ["dev"])
    assert service(site).get(reference).with_people == ("dev",)
    assert audit.verify(svc.engine).ok
