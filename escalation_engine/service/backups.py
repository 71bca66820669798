"""Backups a council can keep: the whole database copied while the service runs, with a signed
checkpoint taken at that moment, packed with a manifest and encrypted to the council's key; and
restoring one into an empty database, proved whole against its checkpoint before it is used.

The manifest says what the copy is (which database, which schema, where each chain ended), so
a restore refuses a copy it cannot use before it touches anything.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from escalation_engine import __version__, store
from escalation_engine.errors import InvalidInput
from escalation_engine.service.anchoring import Anchoring
from escalation_engine.service.context import Context
from escalation_engine.settings import backup_keys
from escalation_engine.store import copies
from escalation_engine.trail import checkpoints

_MANIFEST, _DATABASE = "manifest.json", "database"
#: The largest manifest a restore reads.
_MAX_MANIFEST = 64 * 1024


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a backup holds: when it was taken, from which kind of database and schema, where
    the trail ended, and the checkpoint signed at that moment (``None`` for an unsigned trail)."""

    taken_at: datetime
    database: str
    schema: str | None
    entries: int
    head: str
    checkpoint: dict[str, Any] | None
    engine_version: str

    def data(self) -> dict[str, Any]:
        return {"taken_at": self.taken_at.isoformat(), "database": self.database,
                "schema": self.schema, "entries": self.entries, "head": self.head,
                "checkpoint": self.checkpoint, "engine_version": self.engine_version}  # fmt: skip

    @classmethod
    def read(cls, raw: bytes, name: str) -> Manifest:
        try:
            data = json.loads(raw)
            return cls(taken_at=datetime.fromisoformat(data["taken_at"]),
                       database=str(data["database"]), schema=data["schema"],
                       entries=int(data["entries"]), head=str(data["head"]),
                       checkpoint=data["checkpoint"], engine_version=str(data["engine_version"]))  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{name} holds no readable manifest: {exc}.") from None


def backup(ctx: Context, anchoring: Anchoring, target: Path, key: bytes) -> Manifest:
    """Copy the database into ``target``, encrypted to ``key``, with a checkpoint taken now
    (also written to the service's checkpoint folder, where it has one)."""
    url = ctx.settings.database_url
    with tempfile.TemporaryDirectory(prefix="escalate-backup-") as work:
        folder = Path(work)
        point = None
        if ctx.signer is not None:
            taken, _ = anchoring.checkpoint(folder / "checkpoint")
            if ctx.settings.audit.checkpoint_folder is not None:
                checkpoints.write(ctx.settings.audit.checkpoint_folder, taken)
            point = taken.facts() | {"signature": taken.signature}
        copies.copy(url, folder / _DATABASE)
        seq, head = store.head(ctx.engine)
        manifest = Manifest(
            taken_at=ctx.clock.now(), database=copies.kind(url),
            schema=store.schema_revision(ctx.engine), entries=seq, head=head or "",
            checkpoint=point, engine_version=__version__,
        )  # fmt: skip
        packed = folder / "backup.tar"
        with tarfile.open(packed, "w") as tar:
            text = json.dumps(manifest.data(), indent=2).encode()
            info = tarfile.TarInfo(_MANIFEST)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
            tar.add(folder / _DATABASE, arcname=_DATABASE)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with packed.open("rb") as source, os.fdopen(descriptor, "wb") as sealed:
            backup_keys.encrypt(source, sealed, key)
        partial.replace(target)
    return manifest


def restore(url: str, source: Path, key: bytes, checkpoint_folder: Path) -> Manifest:
    """Put the backup in ``source`` into the empty database at ``url``; the checkpoint taken
    with it is written into ``checkpoint_folder`` for the caller's verify."""
    copies.require_empty(url)
    with tempfile.TemporaryDirectory(prefix="escalate-restore-") as work:
        folder = Path(work)
        packed = folder / "backup.tar"
        try:
            with source.open("rb") as sealed, packed.open("wb") as opened:
                backup_keys.decrypt(sealed, opened, key, source.name)
        except OSError as exc:
            raise InvalidInput(f"The backup {source} cannot be read: {exc.strerror}.") from None
        manifest, database = _unpacked(packed, folder, source.name)
        if manifest.database != copies.kind(url):
            raise InvalidInput(
                f"{source.name} is a copy of a {manifest.database} database, and config.yaml names"
                f" a {copies.kind(url)} one: restore it into a {manifest.database} database."
            )
        copies.restore(url, database)
    if manifest.checkpoint is not None:
        point = checkpoints.parsed(manifest.checkpoint, f"the checkpoint in {source.name}")
        checkpoints.write(checkpoint_folder, point)
    return manifest


def _unpacked(packed: Path, folder: Path, name: str) -> tuple[Manifest, Path]:
    """The manifest and the database file of an opened backup; nothing else is taken out."""
    try:
        with tarfile.open(packed, "r") as tar:
            members = {member.name: member for member in tar.getmembers()}
            if set(members) != {_MANIFEST, _DATABASE} or not all(
                m.isfile() for m in members.values()
            ):
                raise InvalidInput(f"{name} does not hold what a backup holds.")
            if members[_MANIFEST].size > _MAX_MANIFEST:
                raise InvalidInput(f"{name} holds a manifest too large to be one.")
            read = tar.extractfile(members[_MANIFEST])
            manifest = Manifest.read(read.read() if read else b"", name)
            tar.extract(members[_DATABASE], folder, filter="data")
    except tarfile.TarError as exc:
        raise InvalidInput(f"{name} does not hold what a backup holds: {exc}.") from None
    return manifest, folder / _DATABASE
