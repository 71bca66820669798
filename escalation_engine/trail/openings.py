"""Checking the text kept beside entries against the digests the entries hold, as ``audit
verify`` walks the chain: text put back after a redaction, text changed, text removed without a
redaction, and text kept for an entry that commits to none are each named; a redaction is named
as one (who, when, why), not as a change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from escalation_engine import store
from escalation_engine.domain import committed
from escalation_engine.domain.actions.catalogue import PERSONAL
from escalation_engine.domain.events import Redacted
from escalation_engine.store import Reader

#: The actor of what the engine writes itself.
ENGINE = "engine"


@dataclass(frozen=True, slots=True)
class Redaction:
    """One field's text removed, as its redaction entry records it."""

    seq: int
    reference: str
    at: datetime
    actor: str
    entry: int
    field: str
    why: str
    digest: str
    rule: str | None = None

    def said(self) -> str:
        who = "the engine" if self.actor == ENGINE else self.actor
        by = f"by the retention schedule ({self.rule})" if self.rule else f"by {who}"
        return (
            f"redacted (entry {self.entry}, field {self.field}, {by},"
            f" {self.at.astimezone(UTC).isoformat()}, why: {self.why})"
        )


def redactions(engine: Reader, reference: str | None = None) -> list[Redaction]:
    """Every redaction the trail records (of one escalation, or all), in order."""
    found = []
    for row in store.texts.redactions(engine, reference):
        event: Redacted = Redacted.read(json.loads(row.data))
        found.append(Redaction(
            seq=row.seq, reference=row.reference, at=row.at, actor=row.actor, entry=event.entry,
            field=event.field, why=event.why, digest=event.digest, rule=event.rule,
        ))  # fmt: skip
    return found


class Openings:
    """The kept text, read in step with the chain (both in sequence order), so that memory
    holds one chunk of each and the redactions."""

    def __init__(self, engine: Reader, since: int = 0) -> None:
        self.redacted = {(r.entry, r.field): r for r in redactions(engine) if r.entry > since}
        self.stream = store.texts.stream(engine, since)
        self.kept: Iterator[Any] = iter(self.stream)
        self.ahead: Any = next(self.kept, None)
        #: What each redaction of an entry checked so far removed (for the report).
        self.seen: list[Redaction] = []

    def close(self) -> None:
        self.stream.close()

    def problem(self, row: Any) -> str | None:
        """What is wrong with the text kept for entry ``row`` (a stored row), or ``None``."""
        if self.ahead is not None and self.ahead.seq < row.seq:
            return self._stray(self.ahead)
        digests: dict[str, str] = {}
        if row.schema_version >= committed.SCHEMA:
            data = json.loads(row.data) if committed.PREFIX in row.data else {}
            digests = committed.committed(row.note, data, PERSONAL)
        kept = {}
        while self.ahead is not None and self.ahead.seq == row.seq:
            kept[self.ahead.field] = self.ahead
            self.ahead = next(self.kept, None)
        what = f"entry {row.seq} ({row.reference}, {row.action})"
        for field, opening in kept.items():
            if field not in digests:
                return self._stray(opening)
            if committed.commitment(opening.salt, opening.text) != digests[field]:
                return f"the {field} of {what} was altered after it was written"
            if (row.seq, field) in self.redacted:
                return (
                    f"the {field} of {what} was redacted by entry"
                    f" {self.redacted[(row.seq, field)].seq}, but its text"
                    " is back: it was put back behind the engine's back"
                )
        for field in sorted(set(digests) - set(kept)):
            redaction = self.redacted.get((row.seq, field))
            if redaction is None:
                return (
                    f"the {field} of {what} is missing, and no redaction records its removal:"
                    " it was deleted behind the engine's back"
                )
            if redaction.digest != digests[field]:
                return f"entry {redaction.seq} redacts the {field} of {what}, but not its text"
            self.seen.append(redaction)
        return None

    def end(self) -> str | None:
        """What is kept for no entry the walk reached (past the end of the trail), if anything."""
        return self._stray(self.ahead) if self.ahead is not None else None

    @staticmethod
    def _stray(opening: Any) -> str:
        return (
            f"text is kept for the {opening.field} of entry {opening.seq}, which commits to no"
            " such text: it was added behind the engine's back"
        )
