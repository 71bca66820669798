"""The context every use case shares: the settings, the database, the clock, the workflows and
their versions, the stage rules and the words; how an entry is appended (signed, counted,
watched); who is away at a given moment; and the limits on what people type."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine

from escalation_engine import store
from escalation_engine.clock import Clock
from escalation_engine.domain import absences
from escalation_engine.domain.clocks import Clocks
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Event, Told, Written
from escalation_engine.domain.people import Person
from escalation_engine.domain.stages import StageKeeper
from escalation_engine.errors import Given, InvalidInput
from escalation_engine.service import outbox
from escalation_engine.service.registry import WorkflowRegistry
from escalation_engine.settings.config import Settings
from escalation_engine.settings.keys import Signer, Verifier, load_signer, parse_public
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail import audit, installation
from escalation_engine.trail.audit import Entry

ENGINE_ACTOR = "engine"
MAX_SUMMARY = 2_000
MAX_NOTE = 4_000
MAX_CASES = 20


def check_text(text: str, what: str, most: int, *, given: Given | None = None) -> None:
    """Refuse text too long to be a note, or holding control characters (a NUL from a pasted
    file, terminal escapes) that would corrupt the trail or what it shows later."""
    if len(text) > most:
        raise InvalidInput(
            f"{what} is {len(text):,} characters long; keep it to {most:,}.", given=given
        )
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in text):
        raise InvalidInput(f"{what} holds control characters; type it as plain text.", given=given)


class Context:
    """What every use case is handed: one per service, built once."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.calendar = settings.calendar
        self.registry = WorkflowRegistry(settings.workflows_dir)
        self.keeper = StageKeeper(settings.calendar, settings.people)
        self.words = settings.words
        self._signer: Signer | None = None
        self._training: bool | None = None
        #: The computer login of whoever typed the command, when they act as someone else
        #: (direct mode with ``allow_act_as``): recorded beside the name acted as.
        self.entered_by: str | None = None

    @property
    def training(self) -> bool:
        """Whether the database was created for training (``escalate init --training``), as
        its sealed installation record says."""
        if self._training is None:
            self._training = installation.training(self.engine, self.verifier)
        return self._training

    @cached_property
    def verifier(self) -> Verifier | None:
        """What the trail's signatures are checked with: the public key in config.yaml, if it
        names one (read once: the settings do not change under a service)."""
        public = self.settings.audit.public_key
        if public is None:
            return None
        return Verifier(parse_public(public, f"{self.settings.path}: audit.public_key"))

    def append(
        self,
        session: Connection,
        escalation: Escalation,
        *,
        data: dict[str, Any],
        record_login: bool = True,
        tallied: Counter[store.tallies.Key] | None = None,
        watch: bool = True,
        tell: tuple[WorkflowSpec, Told] | None = None,
        **fields: Any,
    ) -> Entry:
        """Add an audit entry of ``escalation`` (as the change it records leaves it: its clocks
        are recorded), signed, saying who typed it when that is not whose it is (unless the entry says so itself: ``record_login=False``), and marked as
        training on a training database; the report's counts take it in the same transaction
        (kept in ``tallied`` until ``store.tallies.add``, where given), and whoever it tells of
        the escalation watches it (unless ``watch`` is false). With ``tell`` (the escalation's
        workflow and who the event tells), the notices it owes are recorded in it, signed, and
        queued with it."""
        typed = (
            record_login and self.entered_by is not None and self.entered_by != fields.get("actor")
        )
        if self._training is None:
            # Read on this transaction's own connection: taking a second one while holding the
            # chain's lock could wait on writers who wait on this one.
            self._training = installation.training(session, self.verifier)
        notices = None
        if tell is not None:
            cause = SimpleNamespace(action=fields["action"], actor=fields["actor"],
                                    note=fields.get("note", ""))  # fmt: skip
            notices = outbox.compose(self.settings, tell[0], escalation, cause, tell[1])
        extra = Written(
            entered_by=self.entered_by if typed else None, training=self._training,
            clocks=Clocks.of(escalation),
            notices=None if notices is None else tuple(n.promise for n in notices),
        ).data()  # fmt: skip
        entry = audit.append(
            session, signer=self.signer, reference=escalation.reference, data=data | extra,
            historical="imported" in data, **fields,
        )  # fmt: skip
        if notices:
            outbox.enqueue(session, escalation.reference, entry, notices)
        store.tallies.record(
            session, entry, escalation.workflow_digest, escalation.alert_type, data | extra, tallied
        )
        if watch:  # whoever it tells of the escalation (not with them) watches it from now on
            store.watches.told(session, escalation.reference, Told.read(data).to_watch(), entry.at)
        return entry

    def record(
        self,
        session: Connection,
        loaded: store.Loaded,
        spec: WorkflowSpec,
        event: Event,
        *,
        at: datetime,
        actor: str,
        note: str,
    ) -> Entry:
        """Record ``event`` about ``loaded``'s escalation where it stands (a re-routing, clocks
        put back): the entry, the row saved with it, and the notices it owes, in the caller's
        transaction."""
        escalation = loaded.escalation
        entry = self.append(
            session, escalation, at=at, actor=actor,
            actor_kind="engine" if actor == ENGINE_ACTOR else "person", action=event.ACTION,
            from_stage=escalation.stage, to_stage=escalation.stage, note=note, data=event.data(),
            tell=(spec, event.told),
        )  # fmt: skip
        store.save(session, loaded, entry.hash)
        return entry

    @property
    def signer(self) -> Signer | None:
        """The trail's signing key, read at the first write (reading needs no key); ``None``
        where config.yaml names no public key and the trail is chained but unsigned."""
        audit = self.settings.audit
        if audit.public_key is None:
            return None
        if self._signer is None:
            where = f"{self.settings.path}: audit.public_key"
            self._signer = load_signer(
                audit.signing_key_file, parse_public(audit.public_key, where)
            )
        return self._signer

    @property
    def workflows(self) -> dict[str, WorkflowSpec]:
        """The workflow files as they are now (new escalations start under these)."""
        return self.registry.current

    def workflow(self, name: str) -> WorkflowSpec:
        return self.registry.named(name)

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        """The workflow version ``escalation`` runs under."""
        known = self.registry.known(escalation)
        if known is not None:  # versions never change: one read is enough
            return known
        with self.engine.connect() as session:
            return self.registry.of(session, escalation)

    def people_at(self, session: Connection, now: datetime) -> dict[str, Person]:
        """Everyone as they stand at ``now``: config.yaml, then the away and back marks."""
        marks = store.absences.latest(session)
        return absences.as_marked(self.settings.people, marks, self.calendar.local_day(now))

    @staticmethod
    def rating_named(spec: WorkflowSpec, given: str | None) -> str | None:
        """A rating by its name or its printed label ("Green*"), as the workflow names it."""
        if given is None or spec.rag is None:
            return given
        return spec.rag.resolve(given) or given
