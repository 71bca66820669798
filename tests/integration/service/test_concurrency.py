"""Two sweeps at once, and a response racing a timeout, on a real SQLite file: each deadline is
applied once and no change overwrites another."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest

from escalation_engine.clock import FakeClock
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.store import make_engine
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert
from tests.support.shipped import LONDON

_TWINS: list[EscalationService] = []


def twin(settings: Settings, clock: FakeClock) -> EscalationService:
    """Another service on the same database with its own engine, as another process would be."""
    other = EscalationService(settings, make_engine(settings.database_url), clock)
    _TWINS.append(other)
    return other


@pytest.fixture(autouse=True)
def _dispose_twins() -> Iterator[None]:
    yield
    while _TWINS:
        _TWINS.pop().engine.dispose()


def run_together(*jobs: object) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def runner(job) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_four_sweeps_at_once_apply_each_deadline_once(
    service: EscalationService, settings: Settings, clock: FakeClock
) -> None:
    for index in range(12):
        practice_alert(service, case_refs=[f"CLA-3000{index:02d}"])
    late = datetime(2026, 2, 20, 9, tzinfo=LONDON)
    sweepers = [twin(settings, clock) for _ in range(4)]
    errors = run_together(*[lambda s=s: s.tick(late, batch=3) for s in sweepers])
    assert errors == []
    applied = Counter(
        (e.reference, e.action, e.from_stage)
        for e in audit.entries(service.engine)
        if e.actor_kind == "engine"
    )
    assert applied
    assert max(applied.values()) == 1
    assert all(e.stage == "director" for e in service.all())
    assert audit.verify(service.engine).ok


def test_a_response_racing_the_timeout_is_either_in_time_or_refused(
    service: EscalationService, settings: Settings, clock: FakeClock
) -> None:
    for round_ in range(6):
        esc = practice_alert(service, case_refs=[f"CLA-4000{round_:02d}"])
        assert esc.stage_due_at is not None
        racer = twin(settings, FakeClock(esc.stage_due_at))
        sweeper = twin(settings, clock)
        errors = run_together(
            lambda r=racer, ref=esc.reference: r.act(ref, "jo", "respond", note="Just in time"),
            lambda s=sweeper, at=esc.stage_due_at: s.tick(at),
        )
        after = service.get(esc.reference)
        actions = [e.action for e in audit.entries(service.engine, esc.reference)]
        if "respond" in actions:
            assert errors == []
            assert after.stage == "team_manager"
            assert "timeout" not in actions
        else:
            assert len(errors) == 1
            assert isinstance(errors[0], EscalationError)
            assert after.stage == "service_manager"
        clock.set(esc.stage_due_at)  # the trail's times run forwards: the next round starts here
    assert audit.verify(service.engine).ok
