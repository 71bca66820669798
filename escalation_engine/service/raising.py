"""Raising an alert: checking what the raiser gave, and the stage it enters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from escalation_engine import store
from escalation_engine.domain import patterns
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Raised
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import authorise
from escalation_engine.errors import InvalidInput, WorkflowNotFound, did_you_mean, one_of
from escalation_engine.service.context import MAX_CASES, MAX_SUMMARY, Context, check_text
from escalation_engine.spec.model import OUTCOMES, AlertType, WorkflowSpec
from escalation_engine.store import unit_of_work


class Raising:
    """``raise_alert``: a new escalation, checked, numbered and entered at its first stage."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

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
        now = self.ctx.clock.now()
        person = self.ctx.settings.person(username)
        spec = self.ctx.workflow(workflow)
        alert = self._alert_type(spec, alert_type)
        authorise(spec, person, "raise", None, roles=alert.raised_by)
        refs = self._case_refs(case_refs)
        rating = self.ctx.rating_named(spec, rating)
        self._check_telling(spec, alert, person, tell_my_manager)
        self._check_raise_fields(category, team, summary, dates or {})
        entry_stage = self._entry_stage(spec, alert, rating)
        team = team or self._receiving_team(workflow, alert_type, rating, person.team)
        with unit_of_work(self.ctx.engine) as session:
            keeper = self.ctx.keeper.among(self.ctx.people_at(session, now))
            self.ctx.registry.remember(session, spec, now)
            reference = store.next_reference(session, self.ctx.calendar.local_day(now).year)
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
            entry = self.ctx.append(
                session, escalation, at=now, actor=person.username, actor_kind="person",
                action="raise", from_stage=None, to_stage=escalation.stage, note=escalation.summary,
                data=event.data(), tell=(spec, event.told),
            )  # fmt: skip
            store.insert_new(session, escalation, entry.hash)
        return escalation

    @staticmethod
    def _check_telling(
        spec: WorkflowSpec, alert: AlertType, person: Person, tell_my_manager: bool
    ) -> None:
        """Refuse telling the raiser's manager where the alert type does not let the raiser
        choose it, or where the raiser has no manager."""
        if tell_my_manager and not alert.raiser_may_notify_manager:
            raise InvalidInput(
                f"{alert.title} under {spec.title} does not let the raiser choose to tell their"
                " manager; raise it without telling them."
            )
        if tell_my_manager and person.manager is None:
            raise InvalidInput(
                f"{person.name} ({person.username}) has no manager in config.yaml to tell; raise it"
                " without telling them."
            )

    def _receiving_team(
        self, workflow: str, alert_type: str, rating: str | None, otherwise: str
    ) -> str:
        """The one team that could receive the alert, or ``otherwise`` where none could; the
        raiser must say which where several could."""
        teams = self.teams_receiving(workflow, alert_type, rating)
        if len(teams) > 1:
            raise InvalidInput(
                f"Say which team the child is with (--team): this alert could go to {one_of(teams)}."
            )
        return teams[0] if teams else otherwise

    def teams_receiving(self, workflow: str, alert_type: str, rating: str | None) -> list[str]:
        """The teams whose people could receive this alert where it enters: more than one means
        the raiser must say which team the child is with."""
        spec = self.ctx.workflow(workflow)
        entry = self._entry_stage(
            spec, self._alert_type(spec, alert_type), self.ctx.rating_named(spec, rating)
        )
        if entry not in spec.stage_names:
            return []
        stage = spec.stage(entry)
        if stage.scope == "service":
            return []  # its responders serve every team: the child's is the raiser's own
        roles = {*stage.responders.roles, *stage.stand_in}
        return sorted({p.team for p in self.ctx.settings.people.values() if roles & set(p.roles)})

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
                "Give the child's case reference (one for each child, for siblings)."
            )
        if len(refs) > MAX_CASES:
            raise InvalidInput(
                f"{len(refs)} case references given; one alert covers at most {MAX_CASES} children."
            )
        for ref in refs:
            if not patterns.matches(self.ctx.settings.case_reference_pattern, ref):
                raise InvalidInput(
                    f"{ref[: patterns.MAX_REFERENCE]!r} is not a case reference (expected the pattern"
                    f" {self.ctx.settings.case_reference_pattern}, e.g. CLA-123456). Never enter a child's name."
                )
        return refs

    def _check_raise_fields(
        self, category: str, team: str, summary: str, dates: dict[str, date]
    ) -> None:
        categories = self.ctx.settings.categories
        if category not in categories:
            raise InvalidInput(
                f"Unknown category {category!r}.{did_you_mean(category, categories)}"
                f" Categories: {one_of(categories)}."
            )
        teams = sorted({p.team for p in self.ctx.settings.people.values()})
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

    def _entry_stage(self, spec: WorkflowSpec, alert: AlertType, rating: str | None) -> str:
        if rating is not None:
            if spec.rag is None:
                raise InvalidInput(f"{spec.title} has no RAG ratings; raise it without a rating.")
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
