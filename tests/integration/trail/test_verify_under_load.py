"""``audit verify`` reads one consistent snapshot: with writers raising and answering alerts,
and delivering their notices (each with its delivery record), throughout, a hundred runs find
nothing wrong, on both databases."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.runtime.delivery import deliver_due
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import EmailSettings, Settings
from escalation_engine.store import count_entries, make_engine
from tests.support.scenarios import practice_alert, signed
from tests.support.worker import free_port, start_smtp, wait_for

RUNS = 100

#: Told to stop; let one more alert go; what went wrong in a writer.
Writers = tuple[threading.Event, threading.Semaphore, list[BaseException]]


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Signed, and telling people by email through a real SMTP server on loopback."""
    port = free_port()
    controller, _ = start_smtp(port)
    email = EmailSettings(host="127.0.0.1", port=port, starttls=False)
    told = dataclasses.replace(settings.notifications, email=email)
    try:
        yield dataclasses.replace(signed(settings, tmp_path / "keys"), notifications=told)
    finally:
        controller.stop()


@pytest.fixture
def writers(keyed: Settings, clock: FakeClock) -> Iterator[Writers]:
    """Two services on the same database, as two server processes would be, each raising an
    alert and answering it whenever the test lets one more go (so the trail stays small and
    every run of verify has writes around it), until told to stop."""
    stop, go = threading.Event(), threading.Semaphore(0)
    errors: list[BaseException] = []
    services = [EscalationService(keyed, make_engine(keyed.database_url), clock) for _ in range(2)]

    def write(service: EscalationService, n: int) -> None:
        try:
            while not stop.is_set():
                if not go.acquire(timeout=0.1):
                    continue
                n += 1
                esc = practice_alert(service, case_refs=[f"CLA-{n:06d}"])
                service.act(esc.reference, "jo", "respond", note="Meeting booked.")
                deliver_due(service.engine, keyed, clock.now(), signer=service.ctx.signer)
        except BaseException as exc:  # reported by the test, never swallowed
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(service, 100_000 * (i + 1)))
        for i, service in enumerate(services)
    ]
    for thread in threads:
        thread.start()
    try:
        yield stop, go, errors
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for service in services:
            service.engine.dispose()


def test_verify_with_writers_running_throughout_finds_nothing_wrong(
    keyed: Settings, engine: Engine, clock: FakeClock, writers: Writers
) -> None:
    stop, go, errors = writers
    auditor = EscalationService(keyed, engine, clock)
    seen = 0
    for _ in range(RUNS):
        # Each run lets two more alerts go and waits for the trail to have grown, then checks
        # while they (and whatever comes of them) are being written.
        go.release(2)
        seen = wait_for(lambda last=seen: (n := count_entries(engine)) > last and n, 60, "a write")
        report = auditor.verify_all()
        assert report.ok, report.problem
        assert not errors, errors
    stop.set()
    final = auditor.verify_all()
    assert final.ok, final.problem
    assert final.notices is not None
    assert final.notices.records > 0  # notices were delivered while verify ran
