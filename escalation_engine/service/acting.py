"""A person's action on an escalation: checked, applied on the version they saw, recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain import actions
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PERSON_EVENTS
from escalation_engine.domain.machine import machine_for, trigger_name
from escalation_engine.domain.routing import authorise
from escalation_engine.errors import (
    ConcurrentUpdate,
    InvalidInput,
    PermissionDenied,
    did_you_mean,
    one_of,
)
from escalation_engine.service import outbox
from escalation_engine.service.base import (
    MAX_NOTE,
    NOTE_REQUIRED,
    TARGETED,
    ServiceBase,
    check_text,
)
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec
from escalation_engine.store import unit_of_work


class Acting(ServiceBase):
    """``act``: one action by one person, the one way people change an escalation."""

    def act(
        self,
        reference: str,
        username: str,
        action: str,
        *,
        note: str = "",
        target: str | None = None,
        until: date | datetime | None = None,
        holding: bool = False,
        follow_up: date | None = None,
        consulted: str | None = None,
        reason: str | None = None,
        meeting: actions.Meeting | None = None,
        expected_version: int | None = None,
        force: bool = False,
        dry_run: bool = False,
    ) -> Escalation:
        """Take ``action`` on escalation ``reference`` as ``username``: on ``expected_version``
        (the version the person saw) if given, else, with ``force``, on whatever is there now,
        recorded as such. With ``dry_run``, every check is made and the result returned, and
        nothing is written (what a page offering only the actions someone may take asks)."""
        now = self.clock.now()
        person = self.settings.person(username)
        request = actions.Request(
            note=note.strip(), target=target, until=until, holding=holding,
            follow_up=follow_up, consulted=consulted, reason=reason, meeting=meeting,
        )  # fmt: skip
        check_text(request.note, "The note (--note)", MAX_NOTE)
        if action in NOTE_REQUIRED and not request.note:
            raise InvalidInput(
                f"Say why: {action.replace('_', ' ')} needs a note or reason (--note)."
            )
        with unit_of_work(self.engine) as session:
            loaded = store.load(session, reference, lock=True)
            escalation = loaded.escalation
            if expected_version is not None and expected_version != escalation.version:
                raise ConcurrentUpdate(self._changed_under(session, escalation, expected_version))
            spec = self.registry.of(session, escalation)
            if action == "rate" and target is not None:
                target = self._rating(spec, target)
                request = replace(request, target=target)
            machine = machine_for(spec)
            keeper = self.keeper.among(self._people(session, now))
            keeper.prepare(spec, escalation)
            from_stage = escalation.stage
            trigger = self._trigger(spec, escalation, action, target)
            machine.require(from_stage, trigger, reference=escalation.reference)
            roles = tuple(authorise(spec, person, action, escalation, people=keeper.people))
            handler = actions.HANDLERS.get(action)
            event = (
                handler(
                    actions.Context(self.calendar, keeper.people, spec, person, now, roles),
                    escalation,
                    request,
                )
                if handler is not None
                else PERSON_EVENTS[action]()
            )
            moved = machine.fire(escalation, trigger, reference=escalation.reference)
            entered = None
            if moved and escalation.stage in OUTCOMES:
                keeper.close(escalation, from_stage, now)
            elif moved:
                entered = keeper.enter(
                    spec, escalation, now, due=until if action == "bypass" else None
                )
            else:
                keeper.reroute(spec, escalation)
            reason = self._outcome_reason(spec, escalation, moved, request.reason)
            event = replace(
                event, roles=roles, entered=entered, forced=force or None, reason=reason
            )
            entry = self._append(
                session, escalation, at=now, actor=person.username,
                actor_kind="person", action=action, from_stage=from_stage,
                to_stage=escalation.stage, note=request.note, data=event.data(),
            )  # fmt: skip
            store.save(session, loaded, entry.hash)
            outbox.enqueue(session, self.settings, spec, escalation, entry, event.told)
            if dry_run:
                session.rollback()
        return escalation

    def may_take(self, username: str, escalation: Escalation) -> list[str]:
        """The actions ``escalation``'s stage allows that ``username`` may take on it now (what
        a page offers; ``act`` checks everything again when one is taken)."""
        person = self.settings.person(username)
        with self.engine.connect() as session:
            spec = self.registry.of(session, escalation)
            people = self._people(session, self.clock.now())
        allowed = []
        for action in machine_for(spec).allowed_actions(escalation.stage):
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
                f"--outcome-reason {given!r} is not needed: this action {closes}, and"
                f" {spec.name} lists no reasons for that. Leave it out."
            )
        if given not in reasons:
            raise InvalidInput(
                f"Say why {escalation.reference} closes as {outcome.replace('_', ' ')}: give"
                f" --outcome-reason with one of {one_of(list(reasons))}."
                + (did_you_mean(given, reasons) if given else "")
            )
        return given

    def _changed_under(self, session: Connection, escalation: Escalation, seen: int) -> str:
        last = store.last_entry(session, escalation.reference)
        change = (
            f"; last change: {last.action.replace('_', ' ')} by {last.actor} at {last.at:%Y-%m-%d %H:%M:%S} UTC"
            if last
            else ""
        )
        return (
            f"{escalation.reference} changed while you were looking at it (you saw version {seen}, it is"
            f" now version {escalation.version}, at stage {escalation.stage!r}, {escalation.status.replace('_', ' ')}"
            f"{change}). Nothing was written; check it with 'escalate show {escalation.reference}' and act again if still needed."
        )

    def _trigger(
        self, spec: WorkflowSpec, escalation: Escalation, action: str, target: str | None
    ) -> str:
        if action not in TARGETED:
            return action
        machine = machine_for(spec)
        if action not in machine.allowed_actions(escalation.stage):
            machine.require(escalation.stage, action, reference=escalation.reference)
        if action == "reopen" and target is None:
            target = escalation.last_stage if spec.reopen.to == "last_stage" else spec.reopen.to
        what = TARGETED[action]
        if not target:
            raise InvalidInput(f"{action.capitalize()} needs a {what}.")
        choices = machine_for(spec).targets(escalation.stage, action)
        if choices and target not in choices:
            raise InvalidInput(
                f"Cannot {action} {escalation.reference} to {target!r} from {escalation.stage!r}."
                f"{did_you_mean(target, choices)} Choose a {what.split(' ')[0]} from: {one_of(choices)}."
            )
        return trigger_name(action, target)
