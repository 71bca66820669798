"""Where the server's blocking work runs: database work in a few threads of each process, calls
to the identity provider in anyio's usual pool.

Python runs one thread of a process at a time. Forty threads taking turns at the interpreter lock,
each letting go of it for every SQLite call, spend more of a core handing it over than working:
under 20 people at once a page cost 13-21 ms of CPU, against 9 ms one at a time. So the work that
reads or writes the database runs in at most ``server.threads`` threads a process (the rest wait
their turn on the event loop, costing nothing); ``escalate serve --workers`` uses the other
cores. Calls to the identity provider wait on the network, not the processor, and stay in the
default pool, so that a slow provider cannot hold up the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar

from escalation_engine import store

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

T = TypeVar("T")

_LIMITER: RunVar[CapacityLimiter] = RunVar("escalate_database_threads")


def _limiter(size: int) -> CapacityLimiter:
    try:
        return _LIMITER.get()
    except LookupError:  # the first request of this event loop
        limiter = CapacityLimiter(size)
        _LIMITER.set(limiter)
        return limiter


async def in_thread(
    service: EscalationService, work: Callable[..., T], /, *args: Any, **kwargs: Any
) -> T:
    """``work(*args, **kwargs)`` in one of this process's database threads (``server.threads``
    of ``service``'s settings), tried once more if the database went away before any of it was
    saved (``store/failover.py``)."""
    limiter = _limiter(service.settings.server.threads)
    attempt = partial(store.once_more_if_lost, partial(work, *args, **kwargs))
    return await to_thread.run_sync(attempt, limiter=limiter)
