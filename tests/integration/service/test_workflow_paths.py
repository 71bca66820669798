"""Every path of every shipped workflow, derived from the workflow itself.

For each stage of each workflow: the clock passing, an unsatisfactory response, a satisfactory
one, a bypass to it, an extension, a withdrawal and reopening, and a Cafcass referral, each on its
own escalation and a fake clock. A council's new file gets the same walk by being in workflows/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.spec import load_workflows_dir
from escalation_engine.spec.model import OUTCOMES, RAISER, StageSpec, WorkflowSpec
from escalation_engine.trail import audit
from tests.support.shipped import ROOT

SPECS = load_workflows_dir(ROOT / "workflows")
CASES = [(spec.name, stage.name) for spec in SPECS.values() for stage in spec.stages]


def holder(settings: Settings, roles: tuple[str, ...], esc: Escalation) -> str:
    if RAISER in roles:
        return esc.raised_by
    for person in settings.people.values():
        if set(person.roles) & set(roles) and not person.away:
            return person.username
    raise AssertionError(f"nobody in config.yaml holds {roles}")


def start_at(service: EscalationService, spec: WorkflowSpec, stage: str) -> Escalation:
    """Raise an alert and bring it to ``stage`` (by bypass where it does not enter there)."""
    alert = next(a for a in spec.alert_types if not a.positive)
    raiser = holder(service.settings, alert.raised_by, None)  # type: ignore[arg-type]
    esc = service.raise_alert(
        username=raiser, workflow=spec.name, alert_type=alert.name, case_refs=["CLA-424242"],
        category="placement", summary="A concern", team="north",
        dates={"review_date": service.clock.now().date()},
    )  # fmt: skip
    if esc.stage != stage and spec.bypass.allowed:
        by = holder(service.settings, spec.roles_for("bypass", esc.stage), esc)
        esc = service.act(
            esc.reference, by, "bypass", target=stage, note="Straight there", consulted="priya"
        )
    while esc.stage != stage and esc.stage_due_at is not None:
        # Where bypass is not allowed, the clocks take it there.
        assert isinstance(service.clock, FakeClock)
        service.clock.set(esc.stage_due_at)
        service.tick()
        esc = service.get(esc.reference)
    assert esc.stage == stage
    return esc


def judge_all(
    service: EscalationService, stage: StageSpec, esc: Escalation, action: str
) -> Escalation:
    roles = (
        stage.satisfied_by.roles
        if stage.satisfied_by.mode == "all_of"
        else stage.satisfied_by.roles[:1]
    )
    for role in roles:
        esc = service.act(
            esc.reference, holder(service.settings, (role,), esc), action, note="Judged"
        )
        if action == "reject":
            break
    return esc


@pytest.mark.parametrize(("workflow", "stage_name"), CASES, ids=[f"{w}-{s}" for w, s in CASES])
def test_every_path_from_every_stage(
    service: EscalationService, clock: FakeClock, workflow: str, stage_name: str
) -> None:
    spec = SPECS[workflow]
    stage = spec.stage(stage_name)
    responder = lambda e: holder(service.settings, stage.responders.roles, e)  # noqa: E731

    # The clock passes with no response.
    esc = start_at(service, spec, stage_name)
    if esc.stage_due_at is not None:
        clock.set(esc.stage_due_at)
        service.tick()
        after = service.get(esc.reference)
        if stage.on_timeout is None:
            assert after.stage == stage_name
            assert after.stage_breached_at == esc.stage_due_at
            assert after.remind_at is not None
        else:
            assert after.stage == stage.on_timeout
    clock.advance(days=1)

    # A response judged unsatisfactory, and one judged satisfactory.
    if stage.on_unsatisfactory:
        esc = start_at(service, spec, stage_name)
        service.act(esc.reference, responder(esc), "respond", note="Our answer")
        assert judge_all(service, stage, esc, "reject").stage == stage.on_unsatisfactory
    if stage.satisfied_by.roles:
        esc = start_at(service, spec, stage_name)
        service.act(esc.reference, responder(esc), "respond", note="Our answer")
        assert judge_all(service, stage, esc, "accept").stage == "resolved"

    # An extension by someone allowed to extend.
    esc = start_at(service, spec, stage_name)
    if esc.stage_due_at is not None and spec.roles_for("extend", stage_name):
        later = (esc.stage_due_at + timedelta(days=7)).date()
        by = holder(service.settings, spec.roles_for("extend", stage_name), esc)
        assert (
            service.act(esc.reference, by, "extend", until=later, note="Agreed").stage_due_at
            > esc.stage_due_at
        )  # type: ignore[operator]

    # Withdrawn, then reopened where it was.
    by = holder(service.settings, spec.roles_for("withdraw", stage_name), esc)
    assert (
        service.act(esc.reference, by, "withdraw", note="Sorted informally").outcome == "withdrawn"
    )
    reopener = holder(service.settings, spec.roles_for("reopen", None), esc)
    assert service.act(esc.reference, reopener, "reopen", note="It came back").stage == stage_name

    # A Cafcass referral, where the workflow allows one from here.
    cafcass = spec.cafcass
    if cafcass.allowed and (cafcass.from_stages is None or stage_name in cafcass.from_stages):
        esc = start_at(service, spec, stage_name)
        by = holder(service.settings, spec.roles_for("refer_cafcass", stage_name), esc)
        referred = service.act(esc.reference, by, "refer_cafcass", note="Rights at risk")
        expected = stage_name if cafcass.concurrent else "referred_to_cafcass"
        assert referred.stage == expected
        assert referred.cafcass_referred_at is not None

    assert audit.verify(service.engine).ok
    for each in service.all():
        assert each.is_open == (each.stage not in OUTCOMES)
