"""The trail's times run forwards: an entry dated before the one ahead of it is refused with
nothing written, a moment a lock's wait behind is dated as the entry ahead, and a backdated
entry written with the key anyway is named by verify."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import InvalidInput
from escalation_engine.service import EscalationService
from escalation_engine.store import unit_of_work
from escalation_engine.trail import audit
from tests.support.databases import fingerprint
from tests.support.scenarios import practice_alert


def test_a_moment_before_the_latest_entry_is_refused_and_nothing_is_written(
    signed_service: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(signed_service)
    clock.advance(days=-1)
    before = fingerprint(engine)
    with pytest.raises(InvalidInput, match="the trail's times never run backwards") as refused:
        signed_service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    assert "ESCALATE_FAKE_NOW" in str(refused.value)
    assert fingerprint(engine) == before
    with pytest.raises(InvalidInput, match="never run backwards"):
        practice_alert(signed_service, case_refs=["CLA-200001"])
    assert fingerprint(engine) == before


def test_a_moment_a_lock_wait_behind_is_dated_as_the_entry_ahead(
    signed_service: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(signed_service)
    raised_at = audit.entries(engine)[-1].at
    clock.advance(seconds=-30)  # a write that took its moment, then waited for the lock
    signed_service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    assert audit.entries(engine)[-1].at == raised_at
    assert signed_service.verify_all().ok


def test_a_backdated_entry_signed_with_the_key_is_named(
    signed_service: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(signed_service)
    clock.advance(days=3)
    signed_service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    earlier = clock.now() - timedelta(days=2)
    with unit_of_work(engine) as session:  # what a pretended clock could have written
        audit.append(
            session, reference=esc.reference, at=earlier, actor="jo", actor_kind="person",
            action="note", from_stage=esc.stage, to_stage=esc.stage, note="Backdated.",
            signer=signed_service.ctx.signer, historical=True,
        )  # fmt: skip
    report = signed_service.verify_all()
    assert not report.ok
    assert "entry 3 " in str(report.problem)
    assert "before entry 2 ahead of it" in str(report.problem)
    assert "backdated" in str(report.problem)
