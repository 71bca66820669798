"""Anchoring the trail outside the database, and checking the rows against it: signed
checkpoints written to a folder, and the replay of every escalation's entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain.machine import moves_of
from escalation_engine.errors import ConfigError
from escalation_engine.reports.tallies import TallyReport
from escalation_engine.service import outbox
from escalation_engine.service.context import Context
from escalation_engine.service.queries import Queries
from escalation_engine.settings.keys import Verifier, parse_public
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.store import AuditRow
from escalation_engine.trail import access, checkpoints, deliveries, installation, replay, seals
from escalation_engine.trail.audit import GENESIS, ChainReport
from escalation_engine.trail.checkpoints import Checkpoint, CheckpointReport
from escalation_engine.trail.deliveries import NoticeReport
from escalation_engine.trail.replay import ReplayReport

_UNSIGNED = (
    "Checkpoints are signed with the audit trail's key, and config.yaml names no"
    " audit.public_key; run 'escalate init' in a new folder to see how one is set up."
)


@dataclass(frozen=True, slots=True)
class TrailReport:
    """Everything ``audit verify`` checks: the chain and its signatures, the access log's
    chain, the replay of every escalation (those two on a whole-trail check) and the
    checkpoints; the first problem found."""

    chain: ChainReport
    replay: ReplayReport | None
    checkpoints: CheckpointReport | None
    #: The access log's own chain and signatures (on a whole-trail check).
    access: ChainReport | None = None
    #: How many entries the worker lets pass between checkpoints.
    checkpoint_every: int = 0
    #: Whether the report's counts agree with the trail (on a whole-trail check).
    tallies: TallyReport | None = None
    #: Whether every notice the trail promised is kept (on a whole-trail check).
    notices: NoticeReport | None = None

    @property
    def problem(self) -> str | None:
        parts = (self.chain, self.access, self.replay, self.notices, self.checkpoints, self.tallies)
        if self.chain.undecided and self.checkpoints is not None and not self.checkpoints.ok:
            return self.checkpoints.problem  # a checkpoint decides: the trail held entries
        for part in parts:
            if part is not None and not part.ok:
                return part.problem
        return self.chain.leftover

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        """The chain's report, with the other parts beside it (what ``verify --json`` prints)."""
        return self.chain.as_dict() | {
            "ok": self.ok,
            "access": self.access.as_dict() if self.access else None,
            "replay": self.replay.as_dict() if self.replay else None,
            "checkpoints": self.checkpoints.as_dict() if self.checkpoints else None,
            "tallies": self.tallies.as_dict() if self.tallies else None,
            "notices": self.notices.as_dict() if self.notices else None,
            "checkpoint_every": self.checkpoint_every,
        }


@dataclass(frozen=True, slots=True)
class Watch:
    """How someone watching ``verify`` hears how far it has got: entries checked so far (every
    ``every`` of them), and each later part of the check as it starts (the access log, the
    notices, the replay, the report's counts, the checkpoints)."""

    entries: Callable[[int], None]
    part: Callable[[str], None]
    every: int = 10_000


class Anchoring:
    """Checkpoints of the trail's head kept outside the database, and the replay."""

    def __init__(self, ctx: Context, queries: Queries) -> None:
        self.ctx = ctx
        self.queries = queries

    def _folder(self, folder: Path | None) -> Path:
        chosen = folder or self.ctx.settings.audit.checkpoint_folder
        if chosen is None:
            raise ConfigError(
                "No checkpoint folder: give one with --checkpoints DIR, or set"
                " audit.checkpoints.folder in config.yaml."
            )
        return chosen

    def checkpoint(self, folder: Path | None = None) -> tuple[Checkpoint, Path]:
        """Write a signed checkpoint of the trail as it stands now."""
        signer = self.ctx.signer
        if signer is None:
            raise ConfigError(_UNSIGNED)
        now = self.ctx.clock.now()
        verifier = self.ctx.verifier
        if verifier is not None:  # a seal copied before this checkpoint is now an older one
            with store.unit_of_work(self.ctx.engine) as session:
                seals.renew(session, self._ends(session), signer, verifier, now)
        point = checkpoints.take(self.ctx.engine, signer, now)
        return point, checkpoints.write(self._folder(folder), point)

    @staticmethod
    def _ends(session: Connection) -> dict[str, tuple[int, str | None]]:
        """Where each chain ends, read under the chains' write lock."""
        return {
            seals.AUDIT: store.chain_head(session),
            seals.ACCESS: store.access.head(session),
            seals.DELIVERY: store.deliveries.head(session),
        }

    def checkpoint_if_due(self) -> Path | None:
        """Write a checkpoint when ``audit.checkpoints.every`` entries have been added since
        the last, or a day has passed; ``None`` when none is due (or none is configured)."""
        settings = self.ctx.settings.audit
        folder = settings.checkpoint_folder
        if folder is None or settings.public_key is None:
            return None
        seq, _ = store.head(self.ctx.engine)
        if not checkpoints.due(
            checkpoints.latest(folder), seq, settings.checkpoint_every, self.ctx.clock.now()
        ):
            return None
        return self.checkpoint(folder)[1]

    def seal_ends(self) -> list[str]:
        """Seal each chain at its end as found (an empty one at its start), where it has no
        seal yet (a new database, or one upgraded from before seals); the chains sealed. Needs
        the signing key."""
        signer = self.ctx.signer
        if signer is None:
            return []
        sealed = []
        now = self.ctx.clock.now()
        with store.unit_of_work(self.ctx.engine) as session:
            for chain, (seq, last) in self._ends(session).items():
                if store.seals.read_in(session, chain) is None:
                    seals.seal(session, chain, seq, last or GENESIS, signer, now)
                    sealed.append(chain)
        if installation.seal(self.ctx.engine, signer):
            sealed.append("the installation record")
        return sealed

    def record_installation(self, *, training: bool, now: datetime) -> bool:
        """Say once what the database is for, sealed with the trail's key where the service
        signs its trail and the key can be read here; return whether it is sealed."""
        try:
            signer = self.ctx.signer
        except ConfigError:
            signer = None  # sealed later by 'escalate db upgrade --seal' where the key is
        installation.record(self.ctx.engine, training=training, now=now, signer=signer)
        if signer is not None:  # sealed at its start: an emptied trail is then told apart
            self.seal_ends()
        return signer is not None

    def check_checkpoints(
        self, folder: Path | None = None, where: store.Reader | None = None
    ) -> CheckpointReport:
        """Prove every checkpoint in ``folder`` (the configured one by default) is still a
        prefix of the trail. A folder given must hold checkpoints; the configured one may have
        none yet (nothing has been written since the service was set up)."""
        public = self.ctx.settings.audit.public_key
        if public is None:
            raise ConfigError(_UNSIGNED)
        verifier = Verifier(parse_public(public, f"{self.ctx.settings.path}: audit.public_key"))
        return checkpoints.check(
            where if where is not None else self.ctx.engine, self._folder(folder), verifier,
            required=folder is not None,
        )  # fmt: skip

    def verify_all(
        self,
        since: int = 0,
        folder: Path | None = None,
        watch: Watch | None = None,
    ) -> TrailReport:
        """The chain and every signature; then, if it holds, the replay (whole-trail checks
        only) and the checkpoints (in ``folder``, else the configured folder, if any);
        ``watch`` hears how far it has got."""

        def part(words: str) -> None:
            if watch is not None:
                watch.part(words)

        # One snapshot for every read: writers running meanwhile are not tampering.
        with store.snapshot(self.ctx.engine) as seen:
            progress, every = (watch.entries, watch.every) if watch else (None, 10_000)
            chain = self.queries.verify(since, progress, where=seen, every=every)
            looks = told = replayed = counted = anchored = None
            if chain.ok and not since:  # the whole trail: everything beside it too
                signatures = self.queries.signatures()
                part("Checking the access log")
                looks = access.verify(seen, signatures)
                part("Checking every notice owed")
                told = deliveries.check(seen, signatures, self._latest_due())
                part("Replaying every escalation")
                replayed = self.replay(seen)
                part("Checking the report's counts")
                counted = TallyReport(store.tallies.disagreement(seen))
            wanted = folder is not None or self.ctx.settings.audit.checkpoint_folder is not None
            if (chain.ok or chain.undecided) and wanted:
                part("Checking the checkpoints")
                anchored = self.check_checkpoints(folder, seen)
        every = self.ctx.settings.audit.checkpoint_every
        return TrailReport(chain, replayed, anchored, looks, every, counted, told)

    @property
    def furthest_due(self) -> timedelta:
        """No pending notice is legitimately due further off than this: a retry waits at most
        the policy's longest delay, a lease at most its length, each counted from when it is set."""
        longest = timedelta(seconds=self.ctx.settings.notifications.retry_max_seconds)
        return max(longest, outbox.LEASE)

    def _latest_due(self) -> datetime:
        return self.ctx.clock.now() + self.furthest_due

    def recount(self) -> int:
        """Count the report's figures afresh from the trail (after ``audit verify`` found them
        disagreeing, or to be sure); returns how many counts there are. Writers wait meanwhile."""
        with store.unit_of_work(self.ctx.engine) as session:
            store.serialize_writes(session)
            return store.tallies.rebuild(session)

    def _version(self, digest: str, reference: str) -> WorkflowSpec:
        """The stored workflow version ``digest``, read and checked afresh (as ``replay`` needs:
        it is what finds stored text edited since)."""
        with self.ctx.engine.connect() as session:
            return self.ctx.registry.stored(session, digest, reference)

    def pinned(self, digest: str, reference: str) -> WorkflowSpec:
        """The stored workflow version ``digest``, read once for what shows escalations (pages,
        ``show``, the trail, reports); ``audit verify`` reads each afresh."""
        found = self._pinned_versions.get(digest)
        if found is None:
            found = self._pinned_versions[digest] = self._version(digest, reference)
        return found

    @cached_property
    def _pinned_versions(self) -> dict[str, WorkflowSpec]:
        return {}

    def replay(self, where: store.Reader | None = None) -> ReplayReport:
        """Replay every escalation's trail through its pinned workflow version and compare the
        result with its stored row."""
        versions: dict[str, WorkflowSpec] = {}

        def spec_for(digest: str, reference: str) -> WorkflowSpec:
            if digest not in versions:
                versions[digest] = self._version(digest, reference)
            return versions[digest]

        return replay.replay(where if where is not None else self.ctx.engine, spec_for)

    def replay_problem(self, row: Any, entries: list[AuditRow]) -> str | None:
        """What is wrong with one escalation's stored ``row`` or its ``entries`` (read
        together by the caller), for ``show`` to warn of."""
        if row is None or not entries:
            return None if row is None and not entries else "its row or its trail is missing"
        spec = self.pinned(row.workflow_digest, row.reference)
        return replay.replay_one(entries, row, spec, moves_of(spec))
