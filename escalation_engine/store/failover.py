"""Riding out a PostgreSQL failover without losing or doubling anything.

When the primary dies, every connection to it fails. The pool checks each connection before
lending it (pre-ping) and opens new ones against the hosts ``database_url`` names, in turn, taking
the one that accepts writes (``target_session_attrs=read-write``): once the standby is promoted,
the next transaction reaches it. A request cut off in the switch is tried once more, after a
pause, but only when none of its transactions had committed: a commit whose answer was lost may
have been saved (a synchronous standby confirmed it before the primary died), and a request that
had already committed part of its work would do that part again. Those are reported as unknown,
for the person to look before trying again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from escalation_engine.errors import DatabaseUnavailable, OutcomeUnknown

T = TypeVar("T")
log = logging.getLogger("escalate.store")

#: Seconds before the one retry: long enough for a promotion under way to finish.
RETRY_PAUSE_SECONDS = 2.0
UNKNOWN = (
    "The connection to the database was lost while this was being saved, so it may or may not"
    " have been saved. Look (escalate show, or the escalation's page) before trying again."
)
UNAVAILABLE = (
    "The database cannot be reached just now (it may be switching to its standby); nothing was"
    " saved. Try again in a minute; if it goes on, tell the service's administrator."
)

_COMMITS: ContextVar[list[int] | None] = ContextVar("escalate_commits", default=None)


def committed() -> None:
    """Count a commit of the request under way (``unit_of_work`` calls this)."""
    counter = _COMMITS.get()
    if counter is not None:
        counter[0] += 1


def lost(exc: BaseException) -> bool:
    """Whether ``exc`` is the database going away (or refusing to connect) rather than a refusal
    of what was asked."""
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)
    return False


def once_more_if_lost(work: Callable[[], T], *, pause: float = RETRY_PAUSE_SECONDS) -> T:
    """``work()``; run once more if the database went away before any of it committed.

    :raises DatabaseUnavailable: when it went away again, nothing saved.
    :raises OutcomeUnknown: when it went away after a commit, or during one."""
    for attempt in (1, 2):
        counter = [0]
        token = _COMMITS.set(counter)
        try:
            return work()
        except Exception as exc:
            if not lost(exc):
                raise
            if counter[0]:
                raise OutcomeUnknown(UNKNOWN) from None
            if attempt == 2:
                raise DatabaseUnavailable(UNAVAILABLE) from None
            log.warning(
                "the database connection was lost before anything was saved; trying once more"
            )
        finally:
            _COMMITS.reset(token)
        time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover
