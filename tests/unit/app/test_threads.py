"""The server's database work runs in at most ``server.threads`` threads a process; the rest
wait their turn on the event loop."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import anyio
from anyio import to_thread

from escalation_engine.app.threads import _limiter, in_thread


def _service(threads: int) -> Any:
    return SimpleNamespace(settings=SimpleNamespace(server=SimpleNamespace(threads=threads)))


def test_no_more_than_the_configured_threads_work_at_once_and_every_piece_of_work_is_done() -> None:
    started = threading.Semaphore(0)
    gate = threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        started.release()
        assert gate.wait(60), "the test never opened the gate"
        with lock:
            running[0] -= 1
        return n * n

    async def main() -> list[int]:
        service = _service(2)
        done: list[int] = []

        async def one(n: int) -> None:
            done.append(await in_thread(service, work, n))

        async with anyio.create_task_group() as group:
            for n in range(5):
                group.start_soon(one, n)
            for _ in range(2):  # two have started (blocking in a thread of their own)
                await to_thread.run_sync(started.acquire)
            waiting = _limiter(2).statistics()
            assert (waiting.borrowed_tokens, waiting.tasks_waiting) == (2, 3)
            gate.set()
        return sorted(done)

    assert anyio.run(main) == [0, 1, 4, 9, 16]
    assert most[0] == 2


def test_the_work_s_arguments_and_errors_come_through() -> None:
    def divide(a: int, *, by: int) -> float:
        return a / by

    async def main() -> tuple[float, str]:
        service = _service(1)
        ok = await in_thread(service, divide, 6, by=3)
        try:
            await in_thread(service, divide, 1, by=0)
        except ZeroDivisionError as exc:
            return ok, type(exc).__name__
        return ok, "no error"

    assert anyio.run(main) == (2.0, "ZeroDivisionError")
