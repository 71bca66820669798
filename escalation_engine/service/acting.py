"""A person's action on an escalation: checked, applied on the version they saw, recorded."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.base import NOTE, REASON, Action, ActionContext, Command
from escalation_engine.domain.actions.moving import default_reopening
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.labels import local
from escalation_engine.domain.machine import machine_for, trigger_name
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import authorise
from escalation_engine.errors import (
    ConcurrentUpdate,
    InvalidInput,
    NotFound,
    PermissionDenied,
    did_you_mean,
    one_of,
)
from escalation_engine.service.context import MAX_NOTE, Context, check_text
from escalation_engine.service.viewing import Viewing
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec
from escalation_engine.store import unit_of_work


class _NotPlainlyInSight(Exception):
    """Raised inside an action's transaction (writing nothing) when whether the person may reach
    the escalation needs the full check, which runs outside it."""


class Acting:
    """``act``: one action by one person, the one way people change an escalation."""

    def __init__(self, ctx: Context, viewing: Viewing) -> None:
        self.ctx = ctx
        self.viewing = viewing

    def act(
        self,
        reference: str,
        username: str,
        action: str,
        *,
        expected_version: int | None = None,
        force: bool = False,
        dry_run: bool = False,
        **given: Any,
    ) -> Escalation:
        """Take ``action`` on escalation ``reference`` as ``username``, with ``given`` (its note,
        the reason for an outcome, and its own inputs by name): on ``expected_version`` (the
        version the person saw) if given, else, with ``force``, on whatever is there now,
        recorded as such. With ``dry_run``, every check is made and the result returned, and
        nothing is written (what a page offering only the actions someone may take asks)."""
        definition = catalogue.named(action)
        try:
            command = definition.build(**given)
        except TypeError:
            unknown = sorted(set(given) - {f.name for f in fields(definition.command)})
            raise InvalidInput(
                f"{action.replace('_', ' ')} takes no {', '.join(unknown)}; it takes"
                f" {one_of(f.name for f in fields(definition.command))}."
            ) from None
        return self.take(reference, username, definition, command, expected_version=expected_version,
                         force=force, dry_run=dry_run)  # fmt: skip

    def take(
        self,
        reference: str,
        username: str,
        definition: Action,
        command: Command,
        *,
        expected_version: int | None = None,
        force: bool = False,
        dry_run: bool = False,
    ) -> Escalation:
        """``act`` with its command built: checked, applied and recorded in one transaction."""
        now = self.ctx.clock.now()
        person = self.ctx.settings.person(username)
        action = definition.name
        command = replace(command, note=command.note.strip())
        check_text(command.note, "The note", MAX_NOTE, given=NOTE)
        if definition.note_required and not command.note:
            raise InvalidInput(
                f"Say why: {action.replace('_', ' ')} needs a note or reason.", given=NOTE
            )
        try:
            return self._apply(reference, person, definition, command, now, expected_version,
                               force=force, dry_run=dry_run, in_plain_sight=True)  # fmt: skip
        except _NotPlainlyInSight:
            # The full check reads the trail and records a refused look, so it runs outside
            # the write transaction, which was left having written nothing.
            self._require_reach(username, reference, action)
        return self._apply(reference, person, definition, command, now, expected_version,
                           force=force, dry_run=dry_run, in_plain_sight=False)  # fmt: skip

    def _apply(
        self, reference: str, person: Person, definition: Action, command: Command,
        now: datetime, expected_version: int | None, *, force: bool, dry_run: bool,
        in_plain_sight: bool,
    ) -> Escalation:  # fmt: skip
        """The action checked, applied and recorded in one transaction; with ``in_plain_sight``,
        only where ``person`` plainly may see the escalation (most actions: those it is with,
        its raiser, the IRO manager), which saves reading it once before the transaction."""
        action = definition.name
        with unit_of_work(self.ctx.engine) as session:
            try:
                loaded = store.load(session, reference, lock=True)
            except NotFound:
                if in_plain_sight:
                    raise _NotPlainlyInSight from None  # refused in the words the check uses
                raise
            escalation = loaded.escalation
            if in_plain_sight and not self.viewing.plainly_sees(person, escalation):
                raise _NotPlainlyInSight
            if expected_version is not None and expected_version != escalation.version:
                raise ConcurrentUpdate(self._changed_under(session, escalation, expected_version))
            spec = self.ctx.registry.of(session, escalation)
            if action == "rate" and getattr(command, "target", None) is not None:
                command = replace(command, target=self.ctx.rating_named(spec, command.target))  # type: ignore[call-arg, attr-defined]
            machine = machine_for(spec)
            keeper = self.ctx.keeper.among(self.ctx.people_at(session, now))
            keeper.prepare(spec, escalation)
            from_stage = escalation.stage
            trigger = self._trigger(spec, escalation, definition, command)
            machine.require(from_stage, trigger, reference=escalation.reference)
            roles = tuple(authorise(spec, person, action, escalation, people=keeper.people))
            context = ActionContext(self.ctx.calendar, keeper.people, spec, person, now, roles)
            event = definition.event_of(context, escalation, command)
            moved = machine.fire(escalation, trigger, reference=escalation.reference)
            entered = None
            if moved and escalation.stage in OUTCOMES:
                keeper.close(escalation, from_stage, now)
            elif moved:
                due = getattr(command, definition.sets_due.name) if definition.sets_due else None
                entered = keeper.enter(spec, escalation, now, due=due)
            else:
                keeper.reroute(spec, escalation)
            reason = self._outcome_reason(spec, escalation, moved, command.reason)
            event = replace(
                event, roles=roles, entered=entered, forced=force or None, reason=reason
            )
            entry = self.ctx.append(
                session, escalation, at=now, actor=person.username,
                actor_kind="person", action=action, from_stage=from_stage,
                to_stage=escalation.stage, note=command.note, data=event.data(),
                tell=(spec, event.told),
            )  # fmt: skip
            store.save(session, loaded, entry.hash)
            if dry_run:
                session.rollback()
        return escalation

    def _require_reach(self, username: str, reference: str, action: str) -> None:
        """Someone who may neither see the escalation nor take ``action`` on it is told only
        that there is no such escalation for them, before a version or a permission could say
        what it is (and the refused look is recorded). A role may let someone act where the
        read rules do not let them read (a service manager extending a deadline at a stage
        below theirs): they are let through to the checks that follow."""
        escalation = self.viewing.queries.get(reference)
        self.viewing.require_sight(
            username, escalation, lambda: action in self.may_take(username, escalation)
        )

    def may_take(self, username: str, escalation: Escalation) -> list[str]:
        """The actions ``escalation``'s stage allows, as it stands, that ``username`` may take on
        it now (what a page and ``show`` offer; ``act`` checks everything again when one is
        taken)."""
        person = self.ctx.settings.person(username)
        with self.ctx.engine.connect() as session:
            spec = self.ctx.registry.of(session, escalation)
            people = self.ctx.people_at(session, self.ctx.clock.now())
        allowed = []
        for action in machine_for(spec).allowed_actions(escalation.stage):
            definition = catalogue.find(action)
            if definition is not None and not definition.offered(escalation, person.username):
                continue  # not open as the escalation stands (no accept before a response)
            try:
                authorise(spec, person, action, escalation, people=people)
            except PermissionDenied:
                continue
            allowed.append(action)
        return allowed

    @staticmethod
    def _outcome_reason(
        spec: WorkflowSpec, escalation: Escalation, moved: bool, given: str | None
    ) -> str | None:
        """The reason for the outcome this action closes the escalation with: required, and one
        of the workflow's, where the workflow lists reasons for that outcome; refused otherwise."""
        outcome = escalation.stage if moved and escalation.stage in OUTCOMES else None
        reasons = spec.outcome_reasons.get(outcome or "", {})
        if given is None and not reasons:
            return None
        if outcome is None or not reasons:
            closes = f"closes it as {outcome.replace('_', ' ')}" if outcome else "does not close it"
            raise InvalidInput(
                f"The reason {given!r} is not needed: this action {closes}, and"
                f" {spec.name} lists no reasons for that. Leave it out.",
                given=REASON,
            )
        if given not in reasons:
            raise InvalidInput(
                f"Say why {escalation.reference} closes as {outcome.replace('_', ' ')}: give"
                f" the reason, one of {one_of(list(reasons))}."
                + (did_you_mean(given, reasons) if given else ""),
                given=REASON,
            )
        return given

    def _changed_under(self, session: Connection, escalation: Escalation, seen: int) -> str:
        """What the escalation became while someone looked at an earlier version, in words."""
        words = self.ctx.words
        spec = self.ctx.registry.of(session, escalation)
        last = store.last_entry(session, escalation.reference)
        by = "the engine" if last is not None and last.actor_kind == "engine" else (
            words.person(last.actor) if last is not None else ""
        )  # fmt: skip
        change = (
            f" The last change: {words.done(last.action)}, by {by}, {local(last.at)}."
            if last
            else ""
        )
        return (
            f"{escalation.reference} changed while you were looking at it (you saw version {seen};"
            f" it is now version {escalation.version}: {words.stage(spec, escalation.stage)},"
            f" {words.status(escalation.status)}).{change} Nothing was written: look at it as it"
            " is now, and act again if you still need to."
        )

    def _trigger(
        self, spec: WorkflowSpec, escalation: Escalation, definition: Action, command: Command
    ) -> str:
        aimed = definition.target
        action = definition.name
        if aimed is None:
            return action
        machine = machine_for(spec)
        if action not in machine.allowed_actions(escalation.stage):
            machine.require(escalation.stage, action, reference=escalation.reference)
        target = getattr(command, aimed.name)
        if action == "reopen" and target is None:
            target = default_reopening(spec, escalation)
        if not target:
            raise InvalidInput(f"{action.capitalize()} needs {aimed.fact}.", given=aimed)
        choices = machine.targets(escalation.stage, action)
        if choices and target not in choices:
            raise InvalidInput(
                f"Cannot {action} {escalation.reference} to {target!r} from {escalation.stage!r}."
                f"{did_you_mean(target, choices)} Choose {aimed.fact} from: {one_of(choices)}.",
                given=aimed,
            )
        return trigger_name(action, target)
