"""The one door for every change of state: raise, act, tick.

Each command runs in one transaction: the escalation's new state, its audit entry and its next
deadline are written together or not at all, and a refused command writes nothing. Time comes from
the injected clock; the state machine decides which moves exist; ``policy`` computes deadlines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from . import audit, policy
from .calendar import Deadline
from .clock import Clock
from .config import Person, Settings
from .errors import (
    ConcurrentUpdate,
    InvalidInput,
    WorkflowNotFound,
    did_you_mean,
    one_of,
)
from .escalation import Escalation
from .machine import machine_for, trigger_name
from .routing import authorise, holders, route, satisfies
from .spec.loader import load_workflow_text, load_workflows_dir
from .spec.model import OUTCOMES, RAISER, StageSpec, WorkflowSpec
from .store import (
    AuditRow,
    EscalationRow,
    WorkflowVersionRow,
    from_row,
    get_row,
    next_reference,
    row_values,
    unit_of_work,
)

ENGINE_ACTOR = "engine"
NOTE_REQUIRED = {
    "respond",
    "reject",
    "bypass",
    "extend",
    "withdraw",
    "supersede",
    "refer_cafcass",
    "reopen",
}


@dataclass(frozen=True, slots=True)
class Applied:
    """One thing the engine did in a tick."""

    reference: str
    kind: str
    due_at: datetime
    from_stage: str
    to_stage: str


@dataclass(slots=True)
class TickReport:
    now: datetime
    applied: list[Applied] = field(default_factory=list)


class EscalationService:
    """Commands and queries over escalations stored in ``engine``."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.calendar = settings.calendar
        self._current: dict[str, WorkflowSpec] | None = None
        self._by_digest: dict[str, WorkflowSpec] = {}

    # -- workflows ---------------------------------------------------------------------------

    @property
    def workflows(self) -> dict[str, WorkflowSpec]:
        """The workflow files as they are now (new escalations start under these)."""
        if self._current is None:
            self._current = load_workflows_dir(self.settings.workflows_dir)
        return self._current

    def workflow(self, name: str) -> WorkflowSpec:
        try:
            return self.workflows[name]
        except KeyError:
            raise WorkflowNotFound(
                f"No workflow named {name!r}.{did_you_mean(name, self.workflows)}"
                f" Workflows: {one_of(self.workflows)}."
            ) from None

    def spec_of(self, session: Session, escalation: Escalation) -> WorkflowSpec:
        """The exact workflow version an escalation runs under, whatever the file says now."""
        digest = escalation.workflow_digest
        if digest not in self._by_digest:
            current = self.workflows.get(escalation.workflow)
            if current is not None and current.digest == digest:
                self._by_digest[digest] = current
            else:
                row = session.get(WorkflowVersionRow, digest)
                if row is None:
                    raise WorkflowNotFound(
                        f"Workflow version {digest[:8]} of {escalation.reference} is not stored."
                    )
                self._by_digest[digest] = load_workflow_text(
                    row.text, source=f"{row.source} (stored {digest[:8]})"
                )
        return self._by_digest[digest]

    def _remember(self, session: Session, spec: WorkflowSpec, now: datetime) -> None:
        if session.get(WorkflowVersionRow, spec.digest) is None:
            session.add(
                WorkflowVersionRow(
                    digest=spec.digest, name=spec.name, version=spec.version,
                    source=spec.source, text=spec.text, first_used_at=now,
                )
            )  # fmt: skip
            session.flush()
        self._by_digest[spec.digest] = spec

    # -- helpers -----------------------------------------------------------------------------

    def _prepare(self, spec: WorkflowSpec, escalation: Escalation) -> None:
        if escalation.stage in spec.stage_names:
            stage = spec.stage(escalation.stage)
            escalation.required_satisfied = stage.satisfied_by.roles
            escalation.satisfied_mode = stage.satisfied_by.mode

    def _enter(
        self,
        spec: WorkflowSpec,
        escalation: Escalation,
        at: datetime,
        *,
        due: date | datetime | None = None,
    ) -> dict[str, Any]:
        """Put ``escalation`` at the start of its (new) stage; return the deadline account."""
        stage = spec.stage(escalation.stage)
        escalation.status = "awaiting_response"
        escalation.stage_entered_at = at
        escalation.satisfied = ()
        escalation.stage_breached_at = None
        escalation.stages_reached = (*escalation.stages_reached, stage.name)
        self._prepare(spec, escalation)
        account: dict[str, Any] = {}
        deadline: Deadline | None = None
        if stage.clock.kind == "set_by_raiser" and (due is not None or stage.clock.maximum is None):
            if due is None:
                raise InvalidInput(
                    f"Stage {stage.name!r} has a timescale the raiser sets; give it with --due YYYY-MM-DD."
                )
            deadline = policy.due_from_person(
                due, now=at, calendar=self.calendar, limit=stage.clock.maximum
            )
        elif stage.clock.kind == "set_by_raiser" and stage.clock.maximum is not None:
            deadline = policy.deadline_after(stage.clock.maximum, at, self.calendar)
        elif stage.clock.has_deadline:
            start = policy.clock_start(stage, escalation, at, self.calendar)
            deadline = policy.deadline_after(stage.clock, start, self.calendar)
        escalation.stage_due_at = deadline.due if deadline else None
        if deadline:
            account["stage_due"] = deadline.explain()
        escalation.remind_at = policy.first_reminder(
            stage, escalation.stage_due_at, at, self.calendar
        )
        if escalation.remind_at:
            account["remind_at"] = escalation.remind_at.isoformat()
        limit = spec.overall_limit
        if (
            limit
            and escalation.overall_started_at is None
            and (stage.formal or limit.starts == "raised")
        ):
            start = escalation.raised_at if limit.starts == "raised" else at
            overall = policy.deadline_after(limit.clock, start, self.calendar)
            escalation.overall_started_at = start
            escalation.overall_due_at = overall.due
            account["overall_due"] = overall.explain()
        self._reroute(spec, escalation)
        account["with"] = list(escalation.with_people)
        account |= self._told(stage, escalation)
        return account

    def _told(self, stage: StageSpec, escalation: Escalation) -> dict[str, list[str]]:
        """Who else hears of the stage being reached: copies, watchers, the raiser's manager."""
        people = self.settings.people.values()
        told = {
            "copy": list(holders(people, stage.copy, escalation.team)),
            "watchers": list(holders(people, stage.watchers, escalation.team)),
        }
        manager = self.settings.people.get(escalation.raised_by)
        if stage.notify_raisers_manager and manager is not None and manager.manager:
            told["raisers_manager"] = [manager.manager]
        return {key: value for key, value in told.items() if value}

    def _reroute(self, spec: WorkflowSpec, escalation: Escalation) -> None:
        if escalation.is_open:
            stage = spec.stage(escalation.stage)
            escalation.with_roles, escalation.with_people = route(
                self.settings.people.values(), stage, escalation
            )
        else:
            escalation.with_roles, escalation.with_people = (), ()

    def _close(self, escalation: Escalation, from_stage: str, at: datetime) -> None:
        escalation.outcome = escalation.stage
        escalation.last_stage = None if from_stage in OUTCOMES else from_stage
        escalation.status = "closed"
        escalation.closed_at = at
        # The overall deadline is kept: if the escalation is reopened, the original limit still
        # stands (a closed escalation has nothing due, whatever its fields say).
        escalation.stage_due_at = escalation.remind_at = None
        escalation.with_roles, escalation.with_people = (), ()

    def _save(
        self, session: Session, escalation: Escalation, entry: AuditRow, *, new: bool = False
    ) -> None:
        if new:
            session.add(EscalationRow(**row_values(escalation), audit_head=entry.hash))
            session.flush()
            return
        old_version = escalation.version
        escalation.version += 1
        values = row_values(escalation) | {"audit_head": entry.hash}
        result = session.execute(
            update(EscalationRow)
            .where(EscalationRow.reference == escalation.reference)  # type: ignore[arg-type]
            .where(EscalationRow.version == old_version)  # type: ignore[arg-type]
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(
                f"{escalation.reference} changed while your action was being recorded; nothing was"
                " written. Look at it again with 'escalate show' and retry if still needed."
            )
        session.expire_all()

    def _person(self, username: str) -> Person:
        return self.settings.person(username)

    # -- raising -----------------------------------------------------------------------------

    def raise_alert(
        self,
        *,
        username: str,
        workflow: str,
        alert_type: str,
        case_refs: list[str],
        category: str,
        summary: str,
        team: str = "",
        looked_after: bool = True,
        rating: str | None = None,
        due: date | datetime | None = None,
        dates: dict[str, date] | None = None,
    ) -> Escalation:
        """Raise a new alert; it enters its workflow's entry stage (or is recorded, if positive)."""
        now = self.clock.now()
        person = self._person(username)
        spec = self.workflow(workflow)
        alert = self._alert_type(spec, alert_type)
        authorise(spec, person, "raise", None, roles=alert.raised_by)
        refs = self._case_refs(case_refs)
        if category not in self.settings.categories:
            raise InvalidInput(
                f"Unknown category {category!r}.{did_you_mean(category, self.settings.categories)}"
                f" Categories: {one_of(self.settings.categories)}."
            )
        teams = {p.team for p in self.settings.people.values()}
        if team and team not in teams:
            raise InvalidInput(
                f"Unknown team {team!r}.{did_you_mean(team, teams)} Teams in config.yaml: {one_of(sorted(teams))}."
            )
        summary = summary.strip()
        if not summary:
            raise InvalidInput("Say what the concern is: the summary must not be empty.")
        for name, value in (dates or {}).items():
            if not name.isidentifier():
                raise InvalidInput(f"Date name {name!r} must be a single word such as review_date.")
            del value
        entry_stage = self._entry_stage(spec, alert.enters_at, alert.positive, rating)
        with unit_of_work(self.engine) as session:
            self._remember(session, spec, now)
            reference = next_reference(session, self.calendar.local_day(now).year)
            escalation = Escalation(
                reference=reference, workflow=spec.name, workflow_digest=spec.digest,
                alert_type=alert.name, category=category, case_refs=refs, summary=summary,
                team=team or person.team, looked_after=looked_after, raised_by=person.username,
                raised_at=now, stage=entry_stage, rag=rating, dates=dict(dates or {}),
            )  # fmt: skip
            data: dict[str, Any] = {
                "workflow": spec.label, "alert_type": alert.name, "category": category,
                "case_refs": list(refs), "team": escalation.team, "looked_after": looked_after,
                "rating": rating, "dates": {k: v.isoformat() for k, v in escalation.dates.items()},
            }  # fmt: skip
            if entry_stage in OUTCOMES:
                self._close(escalation, entry_stage, now)
            else:
                data |= self._enter(spec, escalation, now, due=due)
            entry = audit.append(
                session, reference=reference, at=now, actor=person.username, actor_kind="person",
                action="raise", from_stage=None, to_stage=escalation.stage, note=summary, data=data,
            )  # fmt: skip
            self._save(session, escalation, entry, new=True)
        return escalation

    def _alert_type(self, spec: WorkflowSpec, name: str) -> Any:
        names = [a.name for a in spec.alert_types]
        if name not in names:
            raise WorkflowNotFound(
                f"Workflow {spec.name!r} has no alert type {name!r}.{did_you_mean(name, names)}"
                f" Alert types: {one_of(names)}."
            )
        return spec.alert_type(name)

    def _case_refs(self, case_refs: list[str]) -> tuple[str, ...]:
        refs = tuple(dict.fromkeys(ref.strip().upper() for ref in case_refs if ref.strip()))
        if not refs:
            raise InvalidInput(
                "Give the child's case reference with --case (one per child for siblings)."
            )
        pattern = re.compile(self.settings.case_reference_pattern)
        for ref in refs:
            if not pattern.match(ref):
                raise InvalidInput(
                    f"{ref!r} is not a case reference (expected the pattern"
                    f" {self.settings.case_reference_pattern}, e.g. CLA-123456). Never enter a child's name."
                )
        return refs

    def _entry_stage(
        self, spec: WorkflowSpec, enters_at: str | None, positive: bool, rating: str | None
    ) -> str:
        if rating is not None:
            if spec.rag is None:
                raise InvalidInput(
                    f"Workflow {spec.name!r} has no RAG ratings; leave out --rating."
                )
            if rating not in spec.rag.names:
                raise InvalidInput(
                    f"Unknown rating {rating!r}.{did_you_mean(rating, spec.rag.names)} Ratings: {one_of(spec.rag.names)}."
                )
            target = spec.rag.drives.get(rating)
            if target in OUTCOMES or next(r for r in spec.rag.ratings if r.name == rating).positive:
                return "recorded"
            if target is not None and not positive:
                return target
        if positive or enters_at is None:
            return "recorded"
        return enters_at

    # -- person actions ----------------------------------------------------------------------

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
        expected_version: int | None = None,
    ) -> Escalation:
        """Take ``action`` on escalation ``reference`` as ``username``."""
        now = self.clock.now()
        person = self._person(username)
        note = note.strip()
        if action in NOTE_REQUIRED and not note:
            raise InvalidInput(
                f"Say why: {action.replace('_', ' ')} needs a note or reason (--note)."
            )
        with unit_of_work(self.engine) as session:
            escalation = from_row(get_row(session, reference))
            if expected_version is not None and expected_version != escalation.version:
                raise ConcurrentUpdate(
                    f"{escalation.reference} has changed since you looked at it (it is now at"
                    f" {escalation.stage!r}); nothing was written. Check it with 'escalate show'."
                )
            spec = self.spec_of(session, escalation)
            machine = machine_for(spec)
            self._prepare(spec, escalation)
            from_stage = escalation.stage
            trigger = self._trigger(spec, escalation, action, target)
            machine.require(from_stage, trigger, reference=escalation.reference)
            roles = authorise(spec, person, action, escalation)
            data: dict[str, Any] = {"as": roles}
            handler = getattr(self, f"_before_{action}", None)
            if handler is not None:
                data |= handler(spec, escalation, person, now, note=note, target=target, until=until,
                                holding=holding, follow_up=follow_up, consulted=consulted)  # fmt: skip
            moved = machine.fire(escalation, trigger, reference=escalation.reference)
            if moved and escalation.stage in OUTCOMES:
                self._close(escalation, from_stage, now)
            elif moved:
                data |= self._enter(
                    spec, escalation, now, due=until if action == "bypass" else None
                )
            else:
                self._reroute(spec, escalation)
            entry = audit.append(
                session, reference=escalation.reference, at=now, actor=person.username,
                actor_kind="person", action=action, from_stage=from_stage,
                to_stage=escalation.stage, note=note, data=data,
            )  # fmt: skip
            self._save(session, escalation, entry)
        return escalation

    def _trigger(
        self, spec: WorkflowSpec, escalation: Escalation, action: str, target: str | None
    ) -> str:
        if action in ("bypass", "rate", "reopen"):
            if action == "reopen" and target is None:
                target = escalation.last_stage if spec.reopen.to == "last_stage" else spec.reopen.to
            what = "rating (--rating)" if action == "rate" else "stage (--to)"
            if not target:
                raise InvalidInput(f"{action.capitalize()} needs a {what}.")
            choices = machine_for(spec).targets(escalation.stage, action)
            if choices and target not in choices:
                raise InvalidInput(
                    f"Cannot {action} {escalation.reference} to {target!r} from {escalation.stage!r}."
                    f"{did_you_mean(target, choices)} Choose a {what.split(' ')[0]} from: {one_of(choices)}."
                )
            return trigger_name(action, target)
        return action

    def _before_respond(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        stage = spec.stage(esc.stage)
        follow_up: date | None = kw["follow_up"]
        if kw["holding"]:
            esc.status = "holding"
            if follow_up is not None:
                moment = policy.due_from_person(
                    follow_up, now=now, calendar=self.calendar, limit=None
                ).due
                esc.remind_at = min(m for m in (moment, esc.stage_due_at) if m is not None)
                return {"holding": True, "follow_up": follow_up.isoformat()}
            return {"holding": True}
        esc.status = "responded"
        esc.stage_due_at = None  # the response is in: the clock stops while the raiser judges it
        esc.remind_at = policy.cadence(stage, now, self.calendar)
        return {"judge_reminder": esc.remind_at.isoformat()}

    def _before_accept(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        filled = satisfies(person, spec.stage(esc.stage).satisfied_by.roles, esc)
        esc.satisfied = tuple(sorted({*esc.satisfied, *filled}))
        waiting = [r for r in esc.required_satisfied if r not in esc.satisfied]
        return {
            "satisfied": list(esc.satisfied),
            "still_to_satisfy": waiting if esc.satisfied_mode == "all_of" else [],
        }

    def _before_bypass(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        consult = spec.bypass.consult
        if consult is None:
            return {}
        consulted: str | None = kw["consulted"]
        if not consulted:
            raise InvalidInput(
                f"A bypass must be discussed with the {consult.replace('_', ' ')} first; name them with --consulted USERNAME."
            )
        who = self._person(consulted)
        if consult not in who.roles:
            raise InvalidInput(
                f"{who.name} ({who.username}) is not a {consult.replace('_', ' ')}; name one who is with --consulted."
            )
        return {"consulted": who.username}

    def _before_extend(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        until = kw["until"]
        if until is None:
            raise InvalidInput("Give the new deadline with --until YYYY-MM-DD.")
        if esc.stage_due_at is None:
            raise InvalidInput(
                f"{esc.reference} has no running stage clock to extend (status {esc.status})."
            )
        new = policy.due_from_person(until, now=now, calendar=self.calendar, limit=None)
        if new.due <= esc.stage_due_at:
            raise InvalidInput(
                f"{until.isoformat()} is not later than the current deadline"
                f" ({esc.stage_due_at.astimezone(self.calendar.tz):%Y-%m-%d %H:%M}); an extension must move it later."
            )
        old = esc.stage_due_at
        esc.stage_due_at = new.due
        esc.remind_at = policy.first_reminder(spec.stage(esc.stage), new.due, now, self.calendar)
        return {"previous_due": old.isoformat(), "stage_due": new.explain()}

    def _before_refer_cafcass(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        if spec.cafcass.looked_after_only and not esc.looked_after:
            raise InvalidInput(
                f"{esc.reference} is about a child who is not looked after; under {spec.name} Cafcass"
                " referrals are for children in care only."
            )
        if esc.cafcass_referred_at is not None:
            raise InvalidInput(
                f"{esc.reference} was already referred to Cafcass on {esc.cafcass_referred_at:%Y-%m-%d}."
            )
        esc.cafcass_referred_at = now
        return {"concurrent": spec.cafcass.concurrent}

    def _before_reopen(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        within = spec.reopen.within
        if within is not None and esc.closed_at is not None:
            latest = policy.deadline_after(within, esc.closed_at, self.calendar).due
            if now > latest:
                raise InvalidInput(
                    f"{esc.reference} closed on {esc.closed_at:%Y-%m-%d}; {spec.name} allows reopening"
                    f" within {within.describe()}. Raise a new alert instead."
                )
        data = {"previous_outcome": esc.outcome}
        esc.outcome, esc.closed_at = None, None
        return data

    def _before_rate(
        self, spec: WorkflowSpec, esc: Escalation, person: Person, now: datetime, **kw: Any
    ) -> dict[str, Any]:
        data = {"previous_rating": esc.rag, "rating": kw["target"]}
        esc.rag = kw["target"]
        return data

    # -- the engine's own work ---------------------------------------------------------------

    def tick(self, now: datetime | None = None, *, batch: int = 200) -> TickReport:
        """Apply everything due at ``now`` (default: the clock): timeouts, breaches, reminders.

        Idempotent: running it twice at the same moment does nothing the second time.
        """
        now = now or self.clock.now()
        report = TickReport(now=now)
        while True:
            with Session(self.engine) as session:
                references = list(
                    session.exec(
                        select(EscalationRow.reference)
                        .where(EscalationRow.next_due_at <= now)  # type: ignore[operator]
                        .order_by(EscalationRow.next_due_at)  # type: ignore[arg-type]
                        .limit(batch)
                    )
                )
            if not references:
                return report
            for reference in references:
                report.applied += self._apply_due(reference, now)

    def _apply_due(self, reference: str, now: datetime) -> list[Applied]:
        applied: list[Applied] = []
        with unit_of_work(self.engine) as session:
            escalation = from_row(get_row(session, reference))
            spec = self.spec_of(session, escalation)
            self._prepare(spec, escalation)
            entry = None
            while items := policy.due_items(escalation, now):
                due_at, kind = items[0]
                from_stage = escalation.stage
                data = {
                    "due_at": due_at.isoformat(),
                    "applied_at": now.isoformat(),
                    "workflow": spec.label,
                }
                action, note = getattr(self, f"_due_{kind}")(spec, escalation, due_at, now, data)
                if action is None:
                    continue
                entry = audit.append(
                    session, reference=reference, at=now, actor=f"{ENGINE_ACTOR} ({spec.label})",
                    actor_kind="engine", action=action, from_stage=from_stage,
                    to_stage=escalation.stage, note=note, data=data,
                )  # fmt: skip
                applied.append(Applied(reference, action, due_at, from_stage, escalation.stage))
            if entry is not None:
                self._save(session, escalation, entry)
        return applied

    def _due_timeout(
        self,
        spec: WorkflowSpec,
        esc: Escalation,
        due_at: datetime,
        now: datetime,
        data: dict[str, Any],
    ) -> tuple[str, str]:
        stage = spec.stage(esc.stage)
        if stage.on_timeout is None:
            esc.stage_due_at = None
            esc.stage_breached_at = due_at
            esc.remind_at = policy.cadence(stage, due_at, self.calendar)
            data["next_reminder"] = esc.remind_at.isoformat()
            return (
                "stage_breach",
                f"{stage.title}: no satisfactory response within {stage.clock.describe()}; reminders continue",
            )
        machine_for(spec).fire(esc, "timeout", reference=esc.reference)
        if esc.stage in OUTCOMES:
            self._close(esc, stage.name, due_at)
        else:
            data |= self._enter(spec, esc, due_at)
        return (
            "timeout",
            f"No satisfactory response within {stage.clock.describe()} at {stage.title}; moved on",
        )

    def _due_breach(
        self,
        spec: WorkflowSpec,
        esc: Escalation,
        due_at: datetime,
        now: datetime,
        data: dict[str, Any],
    ) -> tuple[str, str]:
        esc.overall_breached_at = due_at
        limit = spec.overall_limit
        return (
            "overall_breach",
            f"The overall limit of {limit.clock.describe() if limit else '?'} has passed",
        )

    def _due_remind(
        self,
        spec: WorkflowSpec,
        esc: Escalation,
        due_at: datetime,
        now: datetime,
        data: dict[str, Any],
    ) -> tuple[str | None, str]:
        stage = spec.stage(esc.stage)
        if esc.stage_due_at is not None and esc.status != "holding":
            esc.remind_at = None  # one reminder ahead of a deadline
            if esc.stage_due_at <= now:
                return None, ""  # the deadline itself is due too: the timeout says it all
        else:
            nxt = policy.cadence(stage, due_at, self.calendar)
            while nxt <= now:
                nxt = policy.cadence(stage, nxt, self.calendar)
            esc.remind_at = nxt if esc.stage_due_at is None else None
        data["to"] = list(esc.with_people)
        waiting = "a judgement of the response" if esc.status == "responded" else "a response"
        return (
            "reminder",
            f"{stage.title}: {waiting} is awaited from {', '.join(esc.with_people) or ', '.join(esc.with_roles)}",
        )

    # -- queries -----------------------------------------------------------------------------

    def get(self, reference: str) -> Escalation:
        with Session(self.engine) as session:
            escalation = from_row(get_row(session, reference))
            self._prepare(self.spec_of(session, escalation), escalation)
            return escalation

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        with Session(self.engine) as session:
            return self.spec_of(session, escalation)

    def all(self) -> list[Escalation]:
        with Session(self.engine) as session:
            rows = session.exec(select(EscalationRow).order_by(EscalationRow.id))  # type: ignore[arg-type]
            return [from_row(row) for row in rows]

    def allowed_actions(self, escalation: Escalation) -> list[str]:
        return machine_for(self.spec_for(escalation)).allowed_actions(escalation.stage)

    def may(self, escalation: Escalation, username: str, action: str) -> bool:
        spec = self.spec_for(escalation)
        roles = spec.roles_for(action, escalation.stage if escalation.is_open else None)
        return bool(satisfies(self._person(username), roles, escalation)) or (
            RAISER in roles and escalation.raised_by == username
        )
