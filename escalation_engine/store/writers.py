"""Whose turn it is to write to a SQLite file: a queue in each process, and a file lock shared by
every process writing to the same file.

SQLite lets one transaction write at a time, and one that finds the file taken waits in its busy
handler, which sleeps between looks for longer and longer (1, 2, 5, 10 ... 100 ms). Under load
that handover is unfair: while one process has writers queued, each takes the file the moment
the last lets go, and another process's writer, asleep, misses every gap. With two server
processes showing pages, one write in a hundred waited 55 ms or more (up to 330 ms) for writes
that take a millisecond. So writers take turns before asking SQLite: first on a lock in their own
process (released, it wakes the next at once), then on an OS lock on a file beside the database
(``<database>.writer.lock``), asked for every fraction of a millisecond, so that a writer of
another process is in within a gap. The kernel lets go of a dead process's lock. Writers that do
not take part (an older engine, the ``sqlite3`` shell) still meet SQLite's busy handler.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from escalation_engine.errors import Busy

#: Longest sleep between looks at another process's file lock.
_LONGEST_LOOK = 0.0005


def busy(seconds: float) -> Busy:
    return Busy(
        f"The database was busy with other changes for {seconds:g} s; nothing was written. Try"
        " again in a moment."
    )


class Writers:
    """The writers of one database in this process; ``path`` is its file (``None`` for a
    database with no file)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        # The lock file as this process opened it: its process id, its descriptor, and what
        # closes it when these writers are forgotten (``writers`` keeps the latest 64).
        self._file: tuple[int, int, weakref.finalize[[int], Writers]] | None = None

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        """This thread's turn to write: wait for the process's other writers and then for
        other processes', at most ``timeout`` seconds in all; else ``Busy``, nothing written."""
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=timeout):
            raise busy(timeout)
        try:
            # A thread already writing may nest a transaction: it holds the file already.
            descriptor = None if self._depth else self._take_file(deadline, timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def _take_file(self, deadline: float, timeout: float) -> int | None:
        """The descriptor whose lock this thread now holds (``None``: no file to lock)."""
        descriptor = self._descriptor()
        if descriptor is None:
            return None
        wait = 0.00005
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return descriptor
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy(timeout) from None
                time.sleep(wait)
                wait = min(wait * 2, _LONGEST_LOOK)

    def _descriptor(self) -> int | None:
        # Opened by each process for itself: a descriptor inherited across fork shares its
        # lock with the parent and would not keep the two apart.
        if self.path is None:
            return None
        pid = os.getpid()
        if self._file is None or self._file[0] != pid:
            if self._file is not None:
                self._file[2]()  # the parent's copy: closing it leaves the parent's lock be
            try:
                descriptor = os.open(self.path + ".writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder it may not write to: SQLite's busy handler alone
                self.path = None
                return None
            self._file = (pid, descriptor, weakref.finalize(self, os.close, descriptor))
        return self._file[1]


@lru_cache(maxsize=64)
def writers(url: str, path: str | None) -> Writers:
    """The one ``Writers`` of this process for the database at ``url``."""
    return Writers(path)
