"""A workflow version is stored the first time an escalation runs under it; many people raising
alerts at once under a version nobody has used yet all succeed, and the version is stored once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, text

from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from tests.support.scenarios import practice_alert

THREADS = 25
EACH = 4


def test_a_hundred_raises_at_once_under_a_new_version_all_succeed(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    # Each thread is a process of its own as far as the registry goes: nothing remembered.
    services = [EscalationService(settings, engine, clock) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def raise_some(service: EscalationService) -> list[str]:
        start.wait(timeout=60)
        return [practice_alert(service).reference for _ in range(EACH)]

    with ThreadPoolExecutor(THREADS) as pool:
        raised = [ref for refs in pool.map(raise_some, services) for ref in refs]
    assert len(set(raised)) == THREADS * EACH
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT COUNT(*) FROM workflow_version")).scalar()
    assert stored == 1
