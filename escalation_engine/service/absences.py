"""Marking people away and back, and re-routing what waits on them, at once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain import absences
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Rerouted
from escalation_engine.domain.people import Person
from escalation_engine.errors import UnknownUser, did_you_mean
from escalation_engine.service.context import ENGINE_ACTOR, MAX_NOTE, Context, check_text
from escalation_engine.store import unit_of_work


class Availability:
    """``mark``: someone away or back, with their open escalations re-routed in the same
    transaction."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def mark(
        self, by: str, who: str, *, away: bool, until: date | None = None, note: str = ""
    ) -> list[Escalation]:
        """Mark ``who`` away (until a day, inclusive) or back, as ``by``; re-route their open
        escalations at once. Return the escalations that now wait on someone else."""
        now = self.ctx.clock.now()
        marker = self.ctx.settings.person(by)
        check_text(note.strip(), "The note (--note)", MAX_NOTE)
        if who not in self.ctx.settings.people:
            raise UnknownUser(
                f"{who!r} is not listed under people in {self.ctx.settings.path}."
                f"{did_you_mean(who, self.ctx.settings.people)}"
            )
        with unit_of_work(self.ctx.engine) as session:
            people = self.ctx.people_at(session, now)
            absences.check_mark(
                people, marker, people[who], away=away, until=until,
                today=self.ctx.calendar.local_day(now),
            )  # fmt: skip
            store.absences.record(
                session, username=who, away=away, until=until, marked_by=by, at=now,
                note=note.strip(),
            )  # fmt: skip
            return self._reroute_all(session, now, by, who, note.strip())

    def end_absences(self, now: datetime) -> list[Escalation]:
        """Mark back everyone whose last day away has passed, and re-route for them."""
        today = self.ctx.calendar.local_day(now)
        with self.ctx.engine.connect() as reading:
            if not absences.ended(store.absences.latest(reading), today):
                return []
        moved: list[Escalation] = []
        with unit_of_work(self.ctx.engine) as session:
            for who in absences.ended(store.absences.latest(session), today):
                store.absences.record(
                    session, username=who, away=False, until=None, marked_by=ENGINE_ACTOR,
                    at=now, note="last day away has passed",
                )  # fmt: skip
                moved += self._reroute_all(session, now, ENGINE_ACTOR, who, "")
        return moved

    def reroute_changed(self, now: datetime) -> list[Escalation]:
        """Re-route every open escalation whose people, as they stand now, are not the ones it
        waits on (config.yaml changed while the engine was stopped: someone left or joined, a
        team was renamed); the trail says so. The worker does this as it starts."""
        with self.ctx.engine.connect() as looking:  # a first look, holding nothing
            changed = self._would_move(looking, now)
        if not changed:
            return []
        with unit_of_work(self.ctx.engine) as session:
            return self._reroute_all(session, now, ENGINE_ACTOR, None, "", only=changed)

    def _would_move(self, connection: Connection, now: datetime) -> set[str]:
        """The open escalations whose people, as they stand now, are not the ones they wait on:
        read without holding any, so a worker starting over many claims only those."""
        keeper = self.ctx.keeper.among(self.ctx.people_at(connection, now))
        changed = set()
        for loaded in store.claim_open(connection, lock=False):
            escalation = loaded.escalation
            spec = self.ctx.registry.of(connection, escalation)
            keeper.prepare(spec, escalation)
            before = escalation.with_people
            keeper.reroute(spec, escalation)
            if escalation.with_people != before:
                changed.add(escalation.reference)
        return changed

    def _reroute_all(
        self, session: Connection, now: datetime, by: str, who: str | None, note: str,
        only: set[str] | None = None,
    ) -> list[Escalation]:  # fmt: skip
        people = self.ctx.people_at(session, now)
        keeper = self.ctx.keeper.among(people)
        marked = people[who] if who is not None else None
        until = marked.away_until.isoformat() if marked and marked.away_until else None
        if marked is None:
            sentence = "the people who can act on it changed"
        else:
            name = marked.username
            sentence = absences.phrase(people, [name]) if marked.away else f"{name} is back"
        moved = []
        for loaded in store.claim_open(session, only):
            escalation = loaded.escalation
            spec = self.ctx.registry.of(session, escalation)
            keeper.prepare(spec, escalation)
            before = escalation.with_people
            why = keeper.reroute(spec, escalation)
            if escalation.with_people == before:
                continue
            event = Rerouted(
                person=who or "", away=bool(marked and marked.away), until=until,
                previously=before, to=escalation.with_people, routed=why,
            )  # fmt: skip
            self.ctx.record(
                session, loaded, spec, event, at=now, actor=by,
                note=f"{sentence}{': ' + note if note else ''}",
            )  # fmt: skip
            moved.append(escalation)
        return moved

    def absences(self) -> list[store.AbsenceRow]:
        """Every away and back mark, oldest first."""
        return store.absences.history(self.ctx.engine)

    def people_now(self) -> dict[str, Person]:
        """Everyone as they stand now (who is away, and until when)."""
        with self.ctx.engine.connect() as session:
            return self.ctx.people_at(session, self.ctx.clock.now())
