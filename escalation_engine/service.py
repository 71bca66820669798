"""The one door for every change of state: raise, act, tick.

Each command runs in one transaction: the escalation's new state, its audit entry and its next
deadline are written together or not at all, and a refused command writes nothing. Time comes from
the injected clock; the state machine decides which moves exist; ``stages``, ``actions`` and
``sweep`` hold what each move does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Connection, Engine

from . import absence, actions, audit, outbox, patterns, policy, store, sweep
from .action_table import PERSON
from .clock import Clock
from .config import Person, Settings
from .errors import (
    ConcurrentUpdate,
    InvalidInput,
    UnknownUser,
    WorkflowNotFound,
    did_you_mean,
    one_of,
)
from .escalation import Escalation
from .events import PERSON_EVENTS, Raised, Rerouted
from .filters import Filter
from .labels import Words
from .machine import machine_for, trigger_name
from .registry import WorkflowRegistry
from .routing import authorise
from .spec.model import OUTCOMES, AlertType, WorkflowSpec
from .stages import StageKeeper
from .store import AuditRow, Loaded, unit_of_work

ENGINE_ACTOR = "engine"
NOTE_REQUIRED = {action.name for action in PERSON if action.note_required}
MAX_SUMMARY = 2_000
MAX_NOTE = 4_000
MAX_CASES = 20


def check_text(text: str, what: str, most: int) -> None:
    """Refuse text too long to be a note, or holding control characters (a NUL from a pasted
    file, terminal escapes) that would corrupt the trail or what it shows later."""
    if len(text) > most:
        raise InvalidInput(f"{what} is {len(text):,} characters long; keep it to {most:,}.")
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in text):
        raise InvalidInput(f"{what} holds control characters; type it as plain text.")


TARGETED = {action.name: action.target for action in PERSON if action.target}


@dataclass(frozen=True, slots=True)
class Applied:
    """One thing the engine did in a tick."""

    reference: str
    kind: str
    due_at: datetime
    from_stage: str
    to_stage: str
    told: tuple[str, ...] = ()
    #: When it was applied (``due_at`` earlier than this is how late it was).
    applied_at: datetime | None = None


@dataclass(slots=True)
class TickReport:
    now: datetime
    applied: list[Applied] = field(default_factory=list)
    #: Escalations whose due work could not be applied this time, with why; the rest went on.
    failed: dict[str, str] = field(default_factory=dict)


class EscalationService:
    """Commands and queries over escalations stored in ``engine``."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.calendar = settings.calendar
        self.registry = WorkflowRegistry(settings.workflows_dir)
        self.keeper = StageKeeper(settings)
        self.words = Words(settings)

    @property
    def workflows(self) -> dict[str, WorkflowSpec]:
        """The workflow files as they are now (new escalations start under these)."""
        return self.registry.current

    def workflow(self, name: str) -> WorkflowSpec:
        return self.registry.named(name)

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
        tell_my_manager: bool = False,
    ) -> Escalation:
        """Raise a new alert; it enters its workflow's entry stage (or is recorded, if positive).
        With ``tell_my_manager``, where the alert type lets the raiser choose it, the raiser's own
        manager is told too."""
        now = self.clock.now()
        person = self.settings.person(username)
        spec = self.workflow(workflow)
        alert = self._alert_type(spec, alert_type)
        authorise(spec, person, "raise", None, roles=alert.raised_by)
        refs = self._case_refs(case_refs)
        rating = self._rating(spec, rating)
        if tell_my_manager and not alert.raiser_may_notify_manager:
            raise InvalidInput(
                f"{alert.title} ({alert.name}) does not let the raiser choose to tell their manager"
                f" under {spec.name}; leave out --tell-my-manager."
            )
        if tell_my_manager and person.manager is None:
            raise InvalidInput(
                f"{person.username} has no manager in config.yaml to tell; leave out --tell-my-manager."
            )
        self._check_raise_fields(category, team, summary, dates or {})
        entry_stage = self._entry_stage(spec, alert, rating)
        if not team:
            teams = self.teams_receiving(workflow, alert_type, rating)
            if len(teams) > 1:
                raise InvalidInput(
                    f"Say which team the child is with (--team): this alert could go to {one_of(teams)}."
                )
            team = teams[0] if teams else person.team
        with unit_of_work(self.engine) as session:
            keeper = self.keeper.among(self._people(session, now))
            self.registry.remember(session, spec, now)
            reference = store.next_reference(session, self.calendar.local_day(now).year)
            escalation = Escalation(
                reference=reference, workflow=spec.name, workflow_digest=spec.digest,
                alert_type=alert.name, category=category, case_refs=refs, summary=summary.strip(),
                team=team or person.team, looked_after=looked_after, raised_by=person.username,
                raised_at=now, stage=entry_stage, rag=rating, dates=dict(dates or {}),
            )  # fmt: skip
            entered = None
            if entry_stage in OUTCOMES:
                keeper.close(escalation, entry_stage, now)
            else:
                entered = keeper.enter(spec, escalation, now, due=due)
            if entered is not None and tell_my_manager and person.manager:
                entered = replace(
                    entered, told=replace(entered.told, raisers_manager=(person.manager,))
                )
            event = Raised(
                workflow=spec.label, alert_type=alert.name, category=category, case_refs=refs,
                team=escalation.team, looked_after=looked_after, rating=rating,
                dates={k: v.isoformat() for k, v in escalation.dates.items()}, entered=entered,
            )  # fmt: skip
            entry = audit.append(
                session, reference=reference, at=now, actor=person.username, actor_kind="person",
                action="raise", from_stage=None, to_stage=escalation.stage, note=escalation.summary,
                data=event.data(),
            )  # fmt: skip
            store.insert_new(session, escalation, entry.hash)
            outbox.enqueue(session, self.settings, spec, escalation, entry, event.told)
        return escalation

    def teams_receiving(self, workflow: str, alert_type: str, rating: str | None) -> list[str]:
        """The teams whose people could receive this alert where it enters: more than one means
        the raiser must say which team the child is with."""
        spec = self.workflow(workflow)
        entry = self._entry_stage(
            spec, self._alert_type(spec, alert_type), self._rating(spec, rating)
        )
        if entry not in spec.stage_names:
            return []
        stage = spec.stage(entry)
        if stage.scope == "service":
            return []  # its responders serve every team: the child's is the raiser's own
        roles = {*stage.responders.roles, *stage.stand_in}
        return sorted({p.team for p in self.settings.people.values() if roles & set(p.roles)})

    def _alert_type(self, spec: WorkflowSpec, name: str) -> AlertType:
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
        if len(refs) > MAX_CASES:
            raise InvalidInput(
                f"{len(refs)} case references given; one alert covers at most {MAX_CASES} children."
            )
        for ref in refs:
            if not patterns.matches(self.settings.case_reference_pattern, ref):
                raise InvalidInput(
                    f"{ref[: patterns.MAX_REFERENCE]!r} is not a case reference (expected the pattern"
                    f" {self.settings.case_reference_pattern}, e.g. CLA-123456). Never enter a child's name."
                )
        return refs

    def _check_raise_fields(
        self, category: str, team: str, summary: str, dates: dict[str, date]
    ) -> None:
        categories = self.settings.categories
        if category not in categories:
            raise InvalidInput(
                f"Unknown category {category!r}.{did_you_mean(category, categories)}"
                f" Categories: {one_of(categories)}."
            )
        teams = sorted({p.team for p in self.settings.people.values()})
        if team and team not in teams:
            raise InvalidInput(
                f"Unknown team {team!r}.{did_you_mean(team, teams)} Teams in config.yaml: {one_of(teams)}."
            )
        if not summary.strip():
            raise InvalidInput("Say what the concern is: the summary must not be empty.")
        check_text(summary, "The summary (--summary)", MAX_SUMMARY)
        for name in dates:
            if not name.isidentifier():
                raise InvalidInput(f"Date name {name!r} must be a single word such as review_date.")

    @staticmethod
    def _rating(spec: WorkflowSpec, given: str | None) -> str | None:
        """A rating by its name or its printed label ("Green*"), as the workflow names it."""
        if given is None or spec.rag is None:
            return given
        return spec.rag.resolve(given) or given

    def _entry_stage(self, spec: WorkflowSpec, alert: AlertType, rating: str | None) -> str:
        if rating is not None:
            if spec.rag is None:
                raise InvalidInput(
                    f"Workflow {spec.name!r} has no RAG ratings; leave out --rating."
                )
            if rating not in spec.rag.names:
                raise InvalidInput(
                    f"Unknown rating {rating!r}.{did_you_mean(rating, spec.rag.names)}"
                    f" Ratings: {one_of(spec.rag.names)}."
                )
            target = spec.rag.drives.get(rating)
            given = next(r for r in spec.rag.ratings if r.name == rating)
            if (target in OUTCOMES or given.positive) and not alert.positive:
                # Closing a concern at once as "recorded" would count it as good practice.
                concerns = [
                    r.label
                    for r in spec.rag.ratings
                    if spec.rag.drives.get(r.name) in spec.stage_names and not r.positive
                ]
                praise = [a.name for a in spec.alert_types if a.positive]
                raise InvalidInput(
                    f"A {given.label} rating needs no escalation, so it cannot open a"
                    f" {alert.title} ({alert.name}). Raise the concern with the rating it has"
                    f" ({one_of(concerns) or 'none drives a stage'})"
                    + (f", or record good practice as {one_of(praise)}." if praise else ".")
                )  # fmt: skip
            if target in OUTCOMES or given.positive:
                return "recorded"
            if target is not None and not alert.positive:
                return target
        if alert.positive or alert.enters_at is None:
            return "recorded"
        return alert.enters_at

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
                    actions.Context(self.settings, spec, person, now, roles), escalation, request
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
            entry = audit.append(
                session, reference=escalation.reference, at=now, actor=person.username,
                actor_kind="person", action=action, from_stage=from_stage,
                to_stage=escalation.stage, note=request.note, data=event.data(),
            )  # fmt: skip
            store.save(session, loaded, entry.hash)
            outbox.enqueue(session, self.settings, spec, escalation, entry, event.told)
            if dry_run:
                session.rollback()
        return escalation

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

    # -- who is away ---------------------------------------------------------------------------

    def _people(self, session: Connection, now: datetime) -> dict[str, Person]:
        """Everyone as they stand at ``now``: config.yaml, then the away and back marks."""
        marks = store.absences.latest(session)
        return absence.as_marked(self.settings.people, marks, self.calendar.local_day(now))

    def mark(
        self, by: str, who: str, *, away: bool, until: date | None = None, note: str = ""
    ) -> list[Escalation]:
        """Mark ``who`` away (until a day, inclusive) or back, as ``by``; re-route their open
        escalations at once. Return the escalations that now wait on someone else."""
        now = self.clock.now()
        marker = self.settings.person(by)
        check_text(note.strip(), "The note (--note)", MAX_NOTE)
        if who not in self.settings.people:
            raise UnknownUser(
                f"{who!r} is not listed under people in {self.settings.path}."
                f"{did_you_mean(who, self.settings.people)}"
            )
        with unit_of_work(self.engine) as session:
            people = self._people(session, now)
            absence.check_mark(
                people, marker, people[who], away=away, until=until,
                today=self.calendar.local_day(now),
            )  # fmt: skip
            store.absences.record(
                session, username=who, away=away, until=until, marked_by=by, at=now,
                note=note.strip(),
            )  # fmt: skip
            return self._reroute_all(session, now, by, who, note.strip())

    def _end_absences(self, now: datetime) -> list[Escalation]:
        """Mark back everyone whose last day away has passed, and re-route for them."""
        today = self.calendar.local_day(now)
        with self.engine.connect() as reading:
            if not absence.ended(store.absences.latest(reading), today):
                return []
        moved: list[Escalation] = []
        with unit_of_work(self.engine) as session:
            for who in absence.ended(store.absences.latest(session), today):
                store.absences.record(
                    session, username=who, away=False, until=None, marked_by=ENGINE_ACTOR,
                    at=now, note="last day away has passed",
                )  # fmt: skip
                moved += self._reroute_all(session, now, ENGINE_ACTOR, who, "")
        return moved

    def _reroute_all(
        self, session: Connection, now: datetime, by: str, who: str, note: str
    ) -> list[Escalation]:
        people = self._people(session, now)
        keeper = self.keeper.among(people)
        moved = []
        for loaded in store.claim_open(session):
            escalation = loaded.escalation
            spec = self.registry.of(session, escalation)
            keeper.prepare(spec, escalation)
            before = escalation.with_people
            why = keeper.reroute(spec, escalation)
            if escalation.with_people == before:
                continue
            until = people[who].away_until
            event = Rerouted(
                person=who, away=people[who].away, until=until.isoformat() if until else None,
                previously=before, to=escalation.with_people, routed=why,
            )  # fmt: skip
            sentence = absence.phrase(people, [who]) if people[who].away else f"{who} is back"
            entry = audit.append(
                session, reference=escalation.reference, at=now, actor=by,
                actor_kind="engine" if by == ENGINE_ACTOR else "person", action=event.ACTION,
                from_stage=escalation.stage, to_stage=escalation.stage,
                note=f"{sentence}{': ' + note if note else ''}", data=event.data(),
            )  # fmt: skip
            store.save(session, loaded, entry.hash)
            outbox.enqueue(session, self.settings, spec, escalation, entry, event.told)
            moved.append(escalation)
        return moved

    def absences(self) -> list[store.AbsenceRow]:
        """Every away and back mark, oldest first."""
        return store.absences.history(self.engine)

    def people_now(self) -> dict[str, Person]:
        """Everyone as they stand now (who is away, and until when)."""
        with self.engine.connect() as session:
            return self._people(session, self.clock.now())

    # -- the engine's own work ---------------------------------------------------------------

    def tick(
        self,
        now: datetime | None = None,
        *,
        batch: int = 200,
        stop: Callable[[], bool] | None = None,
        on_batch: Callable[[list[Applied], dict[str, str]], None] | None = None,
    ) -> TickReport:
        """Apply everything due at ``now`` (default: the clock): timeouts, breaches, reminders.

        Idempotent: running it twice at the same moment does nothing the second time, and two
        sweeps at once apply each item once (each batch is claimed under a write lock, rows
        another sweeper holds are skipped). Escalations are taken oldest deadline first, up to
        ``batch`` in one transaction; ``on_batch`` hears of each batch as it commits, and
        ``stop`` is asked between batches, so a worker that is told to stop finishes the batch
        in hand.
        """
        now = now or self.clock.now()
        report = TickReport(now=now)
        self._end_absences(now)
        # Only escalations that failed, or had nothing to apply although due, are left out of
        # later batches: every other one claimed is no longer due once applied. (Leaving out all
        # those done would grow the query with the backlog.)
        skip: set[str] = set()
        while True:
            applied, failed, claimed = self._apply_batch(now, batch, skip)
            report.applied += applied
            report.failed |= failed
            skip |= set(failed) | (claimed - {a.reference for a in applied})
            if on_batch is not None and (applied or failed):
                on_batch(applied, failed)
            if not claimed or (stop is not None and stop()):
                return report

    def _apply_batch(
        self, now: datetime, batch: int, skip: set[str]
    ) -> tuple[list[Applied], dict[str, str], set[str]]:
        applied: list[Applied] = []
        failed: dict[str, str] = {}
        with unit_of_work(self.engine) as session:
            claimed = store.claim_due(session, now, batch, skip)
            keeper = self.keeper.among(self._people(session, now)) if claimed else self.keeper
            for loaded in claimed:
                # One escalation that cannot be applied (say, its stored workflow no longer
                # loads) must not stop the deadlines of all the others: its savepoint is undone.
                try:
                    with session.begin_nested():
                        applied += self._apply_due(session, keeper, loaded, now)
                except Exception as exc:
                    failed[loaded.escalation.reference] = f"{type(exc).__name__}: {exc}"
        return applied, failed, {loaded.escalation.reference for loaded in claimed}

    def _apply_due(
        self, session: Connection, keeper: StageKeeper, loaded: Loaded, now: datetime
    ) -> list[Applied]:
        applied: list[Applied] = []
        escalation = loaded.escalation
        reference = escalation.reference
        spec = self.registry.of(session, escalation)
        keeper.prepare(spec, escalation)
        entry = None
        while items := policy.due_items(escalation, now):
            due_at, kind = items[0]
            # Stamped with the moment it is applied, so the trail records real lateness.
            at = max(now, self.clock.now())
            from_stage = escalation.stage
            due = sweep.Due(keeper, spec, escalation, due_at, now, at)
            event, note = sweep.HANDLERS[kind](due)
            if event is None:
                continue
            entry = audit.append(
                session, reference=reference, at=at, actor=f"{ENGINE_ACTOR} ({spec.label})",
                actor_kind="engine", action=event.ACTION, from_stage=from_stage,
                to_stage=escalation.stage, note=note, data=event.data(),
            )  # fmt: skip
            told = tuple(outbox.recipients(self.settings, escalation, entry, event.told))
            applied.append(
                Applied(reference, event.ACTION, due_at, from_stage, escalation.stage, told, at)
            )
            outbox.enqueue(session, self.settings, spec, escalation, entry, event.told)
        if entry is not None:
            store.save(session, loaded, entry.hash)
        return applied

    # -- queries -----------------------------------------------------------------------------

    def get(self, reference: str) -> Escalation:
        with self.engine.connect() as session:
            escalation = store.load(session, reference).escalation
            self.keeper.prepare(self.registry.of(session, escalation), escalation)
            return escalation

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        with self.engine.connect() as session:
            return self.registry.of(session, escalation)

    def all(self) -> list[Escalation]:
        return store.everything(self.engine)

    def find(self, chosen: Filter) -> list[Escalation]:
        """The escalations ``chosen`` keeps (every value in it already checked)."""
        return store.matching(self.engine, chosen)

    def case_references(self) -> set[str]:
        return store.case_references(self.engine)

    def next_due(self) -> datetime | None:
        """The earliest moment anything is due for an open escalation."""
        return store.next_due(self.engine)

    def overdue(self, now: datetime) -> int:
        """How many escalations have something due at ``now`` that has not been applied."""
        return store.overdue(self.engine, now)

    def trail(self, reference: str | None = None) -> list[AuditRow]:
        """The audit entries of one escalation (or all), in order."""
        return store.entries(self.engine, reference)

    def verify(
        self, since: int = 0, progress: Callable[[int], None] | None = None
    ) -> audit.ChainReport:
        """Check the audit trail (after entry ``since``, a checkpoint, when given)."""
        return audit.verify(self.engine, since=since, progress=progress)

    def close(self) -> None:
        """Let go of the database connections (a command that ends does so anyway)."""
        self.engine.dispose()

    def trail_length(self, since: int = 0) -> int:
        return store.count_entries(self.engine, since)

    def allowed_actions(self, escalation: Escalation) -> list[str]:
        return machine_for(self.spec_for(escalation)).allowed_actions(escalation.stage)
