"""The notices an entry owes, as the entry records them.

A notice is a row in the outbox, and a row is not signed: deleted, or marked sent, nobody would
be told and nothing would say so. So the entry that causes notices records, signed with it, who
each is for, over which channel, and a digest of the message; ``audit verify`` then finds every
promised notice in the outbox, unaltered, and each one settled (sent or given up) backed by a
delivery record of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def digest(channel: str, recipient: str, address: str, subject: str, body: str) -> str:
    """The SHA-256 of one message as queued: where it goes and what it says."""
    text = "\n".join((channel, recipient, address, subject, body))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Promise:
    """One notice an entry owes: over ``channel`` to ``recipient`` (a username; a webhook has
    none), with the message whose digest is ``digest``."""

    channel: str
    recipient: str
    digest: str

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.recipient

    def data(self) -> dict[str, str]:
        return {"channel": self.channel, "to": self.recipient, "digest": self.digest}

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Promise:
        return cls(str(data["channel"]), str(data["to"]), str(data["digest"]))

    def describe(self, seq: int) -> str:
        whom = f"to {self.recipient}" if self.recipient else "to the webhook"
        return f"the {self.channel} notice {whom} owed by entry {seq}"


def read_all(data: Sequence[Mapping[str, Any]]) -> tuple[Promise, ...]:
    return tuple(Promise.read(item) for item in data)
