"""Entries' signatures checked on the machine's other cores while the chain is checked.

One Ed25519 check costs about a tenth of a millisecond here, as much as everything else a
verify does with an entry, so the checks are handed out in chunks to threads, one for each core
to spare: the check lets go of Python's interpreter lock while it runs, so threads run on other
cores (and, unlike other processes, need no start-up, no copying, and nothing re-imported). Only a
few chunks are in flight at once, so memory stays flat however long the trail; chunks are read
back in order, so the first bad signature found is the first in the trail.
"""

from __future__ import annotations

import base64
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from escalation_engine.settings.keys import Verifier

#: Entries in a chunk handed to a thread (about a tenth of a second of checks).
CHUNK = 1_024
#: Chunks in flight for each thread: enough that none waits for the next, few enough that memory
#: stays flat; with that many waiting, the thread checking the chain checks the next chunk itself.
AHEAD = 3

#: (sequence number, message signed, signature as stored, what to call the entry)
Item = tuple[int, bytes, str, str]


@dataclass(frozen=True, slots=True)
class Bad:
    """The first entry of a chunk whose signature does not match it."""

    seq: int
    what: str


@cache
def _key(public: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public)


def _first_bad(public: bytes, purpose: bytes, items: list[Item]) -> Bad | None:
    key = _key(public)
    for seq, message, signature, what in items:
        try:
            key.verify(base64.b64decode(signature, validate=True), purpose + message)
        except (InvalidSignature, ValueError):
            return Bad(seq, what)
    return None


def spare_cores() -> int:
    """Threads to check signatures in: one for every core but the one checking the chain (at
    least one, so that a one-core machine still overlaps reading with checking)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)


class SignatureChecks:
    """Signatures to check, added in trail order; ``bad`` says the first that failed."""

    def __init__(self, verifier: Verifier, purpose: bytes, threads: int | None = None) -> None:
        self._public = verifier.key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._purpose = purpose
        self._threads = threads if threads is not None else spare_cores()
        self._chunk: list[Item] = []
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[Bad | None]] = deque()
        self._found: Bad | None = None

    @property
    def bad(self) -> Bad | None:
        """The first bad signature found so far (more may be found by ``finish``)."""
        return self._found

    def add(self, seq: int, message: bytes, signature: str, what: str) -> None:
        if self._found is not None:
            return
        self._chunk.append((seq, message, signature, what))
        if len(self._chunk) >= CHUNK:
            self._hand_out()

    def finish(self) -> Bad | None:
        """Check what is left and wait for every chunk handed out; the first bad signature."""
        if self._chunk and self._found is None:
            self._settle(_first_bad(self._public, self._purpose, self._chunk))
        self._chunk = []
        while self._pending:
            self._settle(self._pending.popleft().result())
        return self._found

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _hand_out(self) -> None:
        chunk, self._chunk = self._chunk, []
        while self._pending and self._pending[0].done():
            self._settle(self._pending.popleft().result())
        if len(self._pending) >= self._threads * AHEAD:
            # The others are behind: check this chunk here rather than wait for them.
            self._settle(_first_bad(self._public, self._purpose, chunk))
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="signatures")
        self._pending.append(self._pool.submit(_first_bad, self._public, self._purpose, chunk))

    def _settle(self, found: Bad | None) -> None:
        if found is not None and (self._found is None or found.seq < self._found.seq):
            self._found = found
