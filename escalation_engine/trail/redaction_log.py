"""The redaction log: each redaction, without its text, in a file kept beside the checkpoints,
outside the database, so that restoring a backup taken before a redaction can make it again.

A backup holds the text as it was when the backup was taken; a redaction made since is in the
database, not in the backup. Each line names the entry, the field and the digest the removed text
opened, who removed it, when and why: nothing personal. The log is brought up to date from the
trail after every redaction (so a line missed by a process that died is written by the next), and
read by ``escalate restore``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from escalation_engine.errors import InvalidInput
from escalation_engine.store import Reader
from escalation_engine.trail.openings import redactions

#: The log's file name in the checkpoint folder.
NAME = "redactions.jsonl"
#: The largest log ``read`` accepts (a million redactions is about 300 MB; this is generous).
_MAX_FILE = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Logged:
    """One redaction as the log keeps it."""

    reference: str
    entry: int
    field: str
    digest: str
    at: str
    by: str
    why: str
    rule: str | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        return self.entry, self.field, self.digest


def path_in(folder: Path) -> Path:
    return folder / NAME


def read(path: Path) -> list[Logged]:
    """Every line of the log at ``path`` (none if there is no log yet), each checked."""
    if not path.exists():
        return []
    try:
        if path.stat().st_size > _MAX_FILE:
            raise InvalidInput(f"{path} is too large to be a redaction log.")
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"The redaction log {path} cannot be read: {exc}.") from None
    return [_line(raw, path, number) for number, raw in enumerate(lines, 1) if raw.strip()]


def _line(raw: str, path: Path, number: int) -> Logged:
    try:
        data: Any = json.loads(raw)
        logged = Logged(
            reference=str(data["reference"]), entry=int(data["entry"]), field=str(data["field"]),
            digest=str(data["digest"]), at=str(data["at"]), by=str(data["by"]),
            why=str(data["why"]), rule=None if data.get("rule") is None else str(data["rule"]),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"Line {number} of the redaction log {path} is not a redaction: {raw[:80]!r}."
        ) from None
    if logged.entry < 1 or not logged.digest.startswith("sha256:"):
        raise InvalidInput(f"Line {number} of the redaction log {path} names no entry's text.")
    return logged


def bring_up_to_date(engine: Reader, folder: Path) -> int:
    """Add to the log in ``folder`` every redaction the trail records that it lacks; how many."""
    path = path_in(folder)
    known = {logged.key for logged in read(path)}
    missing: dict[tuple[int, str, str], Logged] = {}
    for r in redactions(engine):  # a redaction made again after a restore is logged once
        if (r.entry, r.field, r.digest) not in known:
            missing.setdefault((r.entry, r.field, r.digest), Logged(
                reference=r.reference, entry=r.entry, field=r.field, digest=r.digest,
                at=r.at.isoformat(), by=r.actor, why=r.why, rule=r.rule,
            ))  # fmt: skip
    if not missing:
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        for logged in missing.values():
            log.write(json.dumps(asdict(logged), ensure_ascii=False, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())
    return len(missing)


def when(logged: Logged) -> datetime:
    return datetime.fromisoformat(logged.at)
