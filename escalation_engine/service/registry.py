"""Workflow versions: the files as they are now, and every version an escalation ran under.

New escalations start under the current file. Each escalation stores the digest of its version,
and the text of that version is kept in the database, so editing a file never changes the
deadlines or allowed actions of escalations already running.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain.escalation import Escalation
from escalation_engine.errors import EscalationError, WorkflowNotFound, did_you_mean, one_of
from escalation_engine.spec.loader import WorkflowFolder, load_workflow_text, read_workflows_dir
from escalation_engine.spec.model import WorkflowSpec


class WorkflowRegistry:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._folder: WorkflowFolder | None = None
        self._by_digest: dict[str, WorkflowSpec] = {}
        #: Digests known to be stored already (seen committed), so raising does not look again.
        self._stored: set[str] = set()

    @property
    def folder(self) -> WorkflowFolder:
        """The workflows folder as it is now, loaded (and checked) on first use."""
        if self._folder is None:
            self._folder = read_workflows_dir(self.directory)
        return self._folder

    @property
    def current(self) -> dict[str, WorkflowSpec]:
        """The workflow files that load, as they are now."""
        return self.folder.specs

    @property
    def failures(self) -> dict[str, EscalationError]:
        """The workflow files that do not load, each with what is wrong with it."""
        return self.folder.failures

    def named(self, name: str) -> WorkflowSpec:
        try:
            return self.current[name]
        except KeyError:
            clash = self.folder.clashes.get(name)
            if clash:
                raise WorkflowNotFound(
                    f"Workflow {name!r} cannot be used: {' and '.join(clash)} both give that name;"
                    " rename one of them."
                ) from None
            broken = [path for path in self.failures if Path(path).stem == name]
            if broken:
                raise WorkflowNotFound(
                    f"Workflow {name!r} cannot be used: {broken[0]} has problems; see them with"
                    f" 'escalate workflows validate {broken[0]}'."
                ) from None
            raise WorkflowNotFound(
                f"No workflow named {name!r}.{did_you_mean(name, self.current)}"
                f" Workflows: {one_of(self.current)}."
            ) from None

    def known(self, escalation: Escalation) -> WorkflowSpec | None:
        """The version ``escalation`` runs under, if already read (no database needed)."""
        return self._by_digest.get(escalation.workflow_digest)

    def of(self, session: Connection, escalation: Escalation) -> WorkflowSpec:
        """The exact version ``escalation`` runs under, whatever the file says now."""
        digest = escalation.workflow_digest
        if digest not in self._by_digest:
            current = self.current.get(escalation.workflow)
            if current is not None and current.digest == digest:
                self._by_digest[digest] = current
            else:
                self._by_digest[digest] = self.stored(session, digest, escalation.reference)
        return self._by_digest[digest]

    @staticmethod
    def stored(session: Connection, digest: str, reference: str) -> WorkflowSpec:
        """The version with ``digest`` as the database keeps it, checked to be that version:
        stored text edited afterwards no longer has the digest it is filed under."""
        stored = store.workflows.stored_text(session, digest)
        if stored is None:
            raise WorkflowNotFound(f"Workflow version {digest[:8]} of {reference} is not stored.")
        source, text = stored
        spec = load_workflow_text(text, source=f"{source} (stored {digest[:8]})")
        if spec.digest != digest:
            raise WorkflowNotFound(
                f"the stored text of workflow version {digest[:8]} ({source}), which {reference}"
                " runs under, was altered after it was stored"
            )
        return spec

    def remember(self, session: Connection, spec: WorkflowSpec, now: datetime) -> None:
        """Store ``spec``'s text (once) inside the caller's transaction."""
        if spec.digest in self._stored:
            return
        if store.workflows.is_stored(session, spec.digest):
            self._stored.add(spec.digest)  # committed by someone: no need to look again
        else:
            store.workflows.store(
                session, digest=spec.digest, name=spec.name, version=spec.version,
                source=spec.source, text=spec.text, first_used_at=now,
            )  # fmt: skip
        self._by_digest[spec.digest] = spec
