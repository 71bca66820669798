"""Checkpoints: the trail's head, signed and kept outside the database.

A signature on each entry stops anyone without the key forging one, but not removing the latest
entries, nor putting back an older copy of the whole database: what is left still verifies. A
checkpoint (the last entry's number and hash, how many entries there were, and when) written to a
folder the database's writers cannot reach, and signed, says how far the trail had come. Later,
the entry it names must still be there with the same hash; since every hash covers the one before,
that proves the whole trail up to it is as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from escalation_engine import store
from escalation_engine.domain.labels import local
from escalation_engine.errors import InvalidInput
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer, Verifier
from escalation_engine.store import Reader
from escalation_engine.trail import seals

#: At least one checkpoint a day, even when nothing was added: it proves nothing was taken away.
DAILY = timedelta(days=1)
_MAX_FILE = 4_096
_PATTERN = "checkpoint-*.json"
#: What marks a checkpoint sent to syslog (followed by its JSON on the same line).
LOG_TAG = "escalate-checkpoint"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    head: str
    count: int
    at: datetime
    signature: str = ""
    #: The access log's last entry and hash at the same moment.
    access_seq: int = 0
    access_head: str = ""
    #: Each chain's seal counter at the same moment (renewed for it): an older seal is refused.
    seals: dict[str, int] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "seq": self.seq, "head": self.head, "count": self.count, "at": self.at.isoformat(),
            "access_seq": self.access_seq, "access_head": self.access_head,
        }  # fmt: skip
        if self.seals:  # a checkpoint from before seals were counted keeps its signed form
            facts["seals"] = dict(sorted(self.seals.items()))
        return facts

    def payload(self) -> bytes:
        """What the signature covers: the facts as canonical JSON."""
        return json.dumps(self.facts(), sort_keys=True, separators=(",", ":")).encode()

    @property
    def name(self) -> str:
        return f"checkpoint-{self.seq:012d}-{self.at:%Y%m%dT%H%M%SZ}.json"

    def describe(self) -> str:
        return f"the checkpoint of {local(self.at)} (entry {self.seq})"


def take(engine: Engine, signer: Signer, now: datetime) -> Checkpoint:
    """A signed checkpoint of the trail as it stands."""
    seq, head = store.head(engine)
    access_seq, access_head = store.access.last(engine)
    at = now.astimezone(UTC).replace(microsecond=0)
    unsigned = Checkpoint(seq=seq, head=head or "", count=store.count_entries(engine), at=at,
                          access_seq=access_seq, access_head=access_head or "",
                          seals=store.seals.counters(engine))  # fmt: skip
    return replace(unsigned, signature=signer.sign(keys.CHECKPOINT, unsigned.payload()))


def write(folder: Path, checkpoint: Checkpoint) -> Path:
    """Write ``checkpoint`` into ``folder`` whole or not at all (a temporary file renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checkpoint.name
    text = json.dumps(checkpoint.facts() | {"signature": checkpoint.signature}, indent=2)
    temporary = folder / f".{checkpoint.name}.tmp"
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def read(path: Path) -> Checkpoint:
    """A checkpoint file, checked for shape (not yet for its signature)."""
    try:
        if path.stat().st_size > _MAX_FILE:
            raise InvalidInput(f"{path} is too large to be a checkpoint.")
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a checkpoint file: {exc}.") from None
    return parsed(raw, str(path))


def parsed(raw: Any, where: str) -> Checkpoint:
    """A checkpoint's facts and signature as stored (in a file, a log line or a backup),
    checked for shape (not yet for its signature)."""
    try:
        seq, head, count = raw["seq"], raw["head"], raw["count"]
        at = datetime.fromisoformat(raw["at"])
        signature = raw["signature"]
        access_seq, access_head = raw.get("access_seq", 0), raw.get("access_head", "")
        counted = raw.get("seals", {})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{where} is not a checkpoint: {exc}.") from None
    if not (isinstance(seq, int) and isinstance(count, int) and isinstance(head, str)
            and isinstance(signature, str) and at.tzinfo is not None
            and isinstance(access_seq, int) and isinstance(access_head, str)
            and isinstance(counted, dict)
            and all(isinstance(k, str) and isinstance(v, int) for k, v in counted.items())):  # fmt: skip
        raise InvalidInput(f"{where} is not a checkpoint: a value has the wrong type.")
    return Checkpoint(seq=seq, head=head, count=count, at=at, signature=signature,
                      access_seq=access_seq, access_head=access_head, seals=counted)  # fmt: skip


def from_log(path: Path) -> Iterator[tuple[str, Checkpoint]]:
    """The checkpoints a syslog file holds (lines tagged ``LOG_TAG``, as the worker sends
    them), oldest first, each with where it was found; other lines are passed over."""
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if LOG_TAG not in line[:_MAX_FILE]:
                    continue
                where = f"{path} line {number}"
                if len(line) > _MAX_FILE:
                    raise InvalidInput(f"{where} is too long to be a checkpoint.")
                try:
                    raw = json.loads(line.split(LOG_TAG, 1)[1].strip().rstrip("\x00"))
                except ValueError as exc:
                    raise InvalidInput(f"{where} is not a checkpoint: {exc}.") from None
                yield where, parsed(raw, where)
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read: {exc}.") from None


def found(folder: Path) -> Iterator[Path]:
    """The checkpoint files in ``folder``, oldest first."""
    return iter(sorted(folder.glob(_PATTERN)))


def latest(folder: Path) -> Checkpoint | None:
    paths = sorted(folder.glob(_PATTERN)) if folder.is_dir() else []
    return read(paths[-1]) if paths else None


def due(previous: Checkpoint | None, seq: int, every: int, now: datetime) -> bool:
    """Whether a new checkpoint is due: ``every`` entries since the last, or a day."""
    if previous is None:
        return seq > 0
    return seq - previous.seq >= every or now - previous.at >= DAILY


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    ok: bool
    checked: int
    problem: str | None = None
    latest: Checkpoint | None = None

    def as_dict(self) -> dict[str, Any]:
        last = self.latest
        return {
            "ok": self.ok, "checked": self.checked, "problem": self.problem,
            "latest": None if last is None else {"seq": last.seq, "head": last.head, "at": last.at.isoformat(),
                                                 "described": last.describe()},
        }  # fmt: skip


def _sources(folder: Path) -> Iterator[tuple[str, Checkpoint]]:
    """The checkpoints in a folder of files, or in a syslog file, each with where it is."""
    if folder.is_file():
        yield from from_log(folder)
        return
    for path in found(folder):
        yield path.name, read(path)


def check(
    engine: Reader, folder: Path, verifier: Verifier, *, required: bool = True
) -> CheckpointReport:
    """Prove every checkpoint in ``folder`` (or in a syslog file of them) is still a prefix of
    the trail; name the first that is not, and why. Unless ``required``, a folder with none yet
    passes (nothing to check)."""
    if not required and not folder.is_file() and not any(found(folder) if folder.is_dir() else ()):
        return CheckpointReport(True, 0)
    if not folder.exists():
        return CheckpointReport(False, 0, f"there is no checkpoint folder {folder}")
    checked, last = 0, None
    seq_now, _ = store.head(engine)
    for where, point in _sources(folder):
        if not verifier.valid(keys.CHECKPOINT, point.payload(), point.signature):
            return CheckpointReport(
                False, checked, f"{where} is not signed with this service's key: it was forged or altered", last
            )  # fmt: skip
        problem = _prefix_problem(engine, point, seq_now)
        if problem is not None:
            return CheckpointReport(False, checked, problem, last)
        checked, last = checked + 1, point
    if checked == 0 or last is None:
        kind = "checkpoints" if folder.is_file() else "checkpoint files"
        return CheckpointReport(False, 0, f"there are no {kind} in {folder}")
    replayed = seals.replayed(engine, last.seals, last.describe())
    if replayed is not None:
        return CheckpointReport(False, checked, replayed, last)
    return CheckpointReport(True, checked, None, last)


def _prefix_problem(engine: Reader, point: Checkpoint, seq_now: int) -> str | None:
    if seq_now < point.seq:
        return (
            f"the trail ends at entry {seq_now}, but {point.describe()} recorded {point.seq}: entries"
            " were removed, or the database was restored from an older copy"
        )
    if point.seq == 0:
        return None
    stored = store.entry_hash_at(engine, point.seq)
    if stored != point.head:
        return (
            f"entry {point.seq} is not the entry {point.describe()} recorded: the trail up to it"
            " was rewritten"
        )
    if store.count_entries(engine) - store.count_entries(engine, point.seq) != point.count:
        return f"the trail up to entry {point.seq} no longer holds the {point.count} entries {point.describe()} counted"
    if point.access_seq and store.access.hash_at(engine, point.access_seq) != point.access_head:
        return (
            f"the access log no longer holds entry {point.access_seq} as {point.describe()}"
            " recorded it: looks at escalations were removed or rewritten"
        )
    return None
