"""The trail's times run forwards: an entry is never dated before the one ahead of it, nor before
its escalation was raised.

A signature proves an entry is the engine's, not that its moment is true: a pretended clock (on a
database flipped to training, say) could date a signed entry into the past. Appends refuse such a
moment, and ``verify`` names any entry that has one. Imported entries record moments from before
the trail began and are left out of both.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from escalation_engine.errors import InvalidInput

#: How far a new entry's moment may fall behind the entry ahead of it. A write takes its moment
#: before it waits for the chain's lock, so under load an entry can carry a moment earlier than
#: the one written just before it, by as long as that wait; it is then dated as that one. A moment
#: further back is a pretended clock dating the record falsely, and is refused.
LOCK_WAIT = timedelta(minutes=5)


def in_order(at: datetime, ahead: datetime | None) -> datetime:
    """``at``, or the moment of the entry ``ahead`` of it if ``at`` falls behind it by no more
    than a lock's wait; refuse a moment further back."""
    if ahead is None or at >= ahead:
        return at
    if ahead - at <= LOCK_WAIT:
        return ahead
    raise InvalidInput(
        f"An entry dated {at.astimezone(UTC).isoformat()} would follow one dated"
        f" {ahead.astimezone(UTC).isoformat()}: the trail's times never run backwards, so"
        " nothing was written. With ESCALATE_FAKE_NOW, pretend a moment after that one."
    )


class Times:
    """Whether each entry's moment follows the one ahead of it (within a lock's wait) and its
    escalation's raising: a backdated entry, even signed, is named. Imported entries record
    moments from before the trail and are left out."""

    def __init__(self) -> None:
        self.latest: tuple[int, datetime] | None = None
        self.raised: dict[str, datetime] = {}

    def problem(self, row: Any) -> str | None:
        at = row.at
        what = f"entry {row.seq} ({row.reference}, {row.action})"
        if row.action == "raise":
            self.raised.setdefault(row.reference, at)
        historical = '"imported"' in row.data and "imported" in json.loads(row.data)
        if not historical:
            if self.latest is not None and self.latest[1] - at > LOCK_WAIT:
                seq, ahead = self.latest
                return (
                    f"{what} is dated {at.astimezone(UTC).isoformat()}, before entry {seq} ahead"
                    f" of it ({ahead.astimezone(UTC).isoformat()}): it was backdated"
                )
            raised = self.raised.get(row.reference)
            if raised is not None and at < raised:
                return (
                    f"{what} is dated {at.astimezone(UTC).isoformat()}, before {row.reference}"
                    f" was raised ({raised.astimezone(UTC).isoformat()}): it was backdated"
                )
            if self.latest is None or at > self.latest[1]:
                self.latest = (row.seq, at)
        return None
