"""Reading under the read rules: who may see an escalation, and the access log of every look."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any

from escalation_engine import store
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Rerouted
from escalation_engine.domain.filters import TrailFilter
from escalation_engine.domain.people import Person
from escalation_engine.domain.visibility import SEE_ALL, Involvement, Sight, sight
from escalation_engine.errors import PermissionDenied, not_found_or_not_yours
from escalation_engine.service.anchoring import Anchoring
from escalation_engine.service.context import Context
from escalation_engine.service.queries import Queries
from escalation_engine.spec.model import RAISER, WorkflowSpec
from escalation_engine.trail import access

AUDITOR = "auditor"
#: The access log's name for a look refused (the escalation named, not shown).
REFUSED = "refused"
#: How many escalations' involvement (read from their trails) a process remembers.
_REMEMBERED = 20_000


class Viewing:
    """Escalations as a named person may see them, each look recorded."""

    def __init__(self, ctx: Context, queries: Queries, anchoring: Anchoring) -> None:
        self.ctx = ctx
        self.queries = queries
        self.anchoring = anchoring

    def _involvement(self, escalation: Escalation, head: str | None = None) -> Involvement:
        """Who ``escalation``'s trail says was waited on or told, and the roles of the stages
        it reached; remembered by its latest entry's hash (``head``, where the caller has it),
        which names every entry before it: the trail is append-only, so an escalation's
        involvement at a head never changes."""
        if head is None:
            return self._read_involvement(escalation)
        key = (escalation.reference, head)
        known = self._involvements.get(key)
        if known is None:
            known = self._involvements[key] = self._read_involvement(escalation)
            if len(self._involvements) > _REMEMBERED:  # the one remembered longest goes
                self._involvements.pop(next(iter(self._involvements), key), None)
        return known

    @cached_property
    def _involvements(self) -> dict[tuple[str, str], Involvement]:
        return {}

    def _read_involvement(self, escalation: Escalation) -> Involvement:
        waited: set[str] = set()
        told: set[str] = set()
        for action, text in store.actions_and_data(self.ctx.engine, escalation.reference):
            event = catalogue.event_of(action, json.loads(text))
            if event.entered is not None:
                waited.update(event.entered.with_people)
            if isinstance(event, Rerouted):
                waited.update(event.to)
            told.update(event.told.everyone())
        spec = self.ctx.spec_for(escalation)
        roles: set[str] = set()
        for name in escalation.stages_reached:
            if name in spec.stage_names:
                stage = spec.stage(name)
                roles.update(stage.responders.roles)
                roles.update(stage.satisfied_by.roles)
        roles.discard(RAISER)
        return Involvement(frozenset(waited), frozenset(told), frozenset(roles))

    def sight_of(
        self, viewer: str, escalation: Escalation, own: Callable[[], frozenset[str]] | None = None,
        head: str | None = None,
    ) -> Sight:  # fmt: skip
        """Whether ``viewer`` may see ``escalation`` (``own``: the case references of the alerts
        they raised, read once by the caller when first needed: ``own_cases``; ``head``: the
        hash of its latest entry, where the caller read it)."""
        person = self.ctx.settings.person(viewer)
        quick = any(role in person.roles for role in SEE_ALL) or viewer == escalation.raised_by
        people = self.ctx.settings.people
        if quick or viewer in escalation.with_people:
            # With them now, it was with them: its trail says so (replay holds row and trail
            # alike), so the trail need not be read to know.
            held = Involvement(waited_on=frozenset(escalation.with_people))
            return sight(person, escalation, held, people, frozenset())
        involvement = self._involvement(escalation, head)
        found = sight(person, escalation, involvement, people, frozenset())
        if found.allowed:  # seen without their caseload: it need not be read
            return found
        cases = (own or self.own_cases(viewer))()
        return sight(person, escalation, involvement, people, cases) if cases else found

    def plainly_sees(self, person: Person, escalation: Escalation) -> bool:
        """Whether ``person`` may see ``escalation`` by what its row alone says (a role that
        sees every escalation, its raiser, someone it is with now); ``False`` means only that
        the full check (``sight_of``) must decide."""
        if not (
            any(role in person.roles for role in SEE_ALL)
            or person.username == escalation.raised_by
            or person.username in escalation.with_people
        ):
            return False
        return self.sight_of(person.username, escalation).allowed

    def own_cases(self, viewer: str) -> Callable[[], frozenset[str]]:
        """The case references of the alerts ``viewer`` raised, worked out when first asked for
        in a request. They are remembered between requests while the latest alert they raised
        is the same (an index look-up), since an alert's case references never change."""
        found: list[frozenset[str]] = []

        def cases() -> frozenset[str]:
            if not found:
                latest = store.last_raised_by(self.ctx.engine, viewer)
                known = self._caseloads.get(viewer)
                if known is None or known[0] != latest:
                    read = frozenset(store.case_references_raised_by(self.ctx.engine, viewer))
                    known = self._caseloads[viewer] = (latest, read)
                found.append(known[1])
            return found[0]

        return cases

    @cached_property
    def _caseloads(self) -> dict[str, tuple[int, frozenset[str]]]:
        """Each viewer's caseload as last read, with the latest alert they had raised then."""
        return {}

    def view(self, reference: str, viewer: str, view: str) -> Escalation:
        """The escalation ``reference`` as ``viewer`` may see it, the look recorded; refused,
        as if it did not exist, when they may not see it (and the refused look recorded)."""
        escalation = self.queries.get(reference)
        self.seen(escalation, viewer, view)
        return escalation

    def seen(
        self, escalation: Escalation, viewer: str, view: str,
        acts: Callable[[], bool] | None = None,
    ) -> None:  # fmt: skip
        """Record that ``viewer`` saw ``escalation`` (read already) through ``view``; refused,
        as if it did not exist, when they may not see it: the refused look is recorded (view
        ``refused``), so an auditor sees someone trying references that are not theirs.
        ``acts``: whether they may act on it now, which lets them see it (``require_sight``)."""
        self.require_sight(viewer, escalation, acts)
        self._record_looks(viewer, [escalation], view)

    def require_sight(
        self, viewer: str, escalation: Escalation, acts: Callable[[], bool] | None = None
    ) -> None:
        """Refuse ``viewer`` ``escalation`` as if it did not exist, unless they may see it,
        or (``acts``) a role of theirs lets them act on it now where the read rules alone
        would not (a head of service agreeing an extension at a stage below theirs must read
        what they agree to); the refused look recorded."""
        if not self.sight_of(viewer, escalation).allowed and not (acts is not None and acts()):
            self.record_references(viewer, [escalation.reference], REFUSED)
            raise not_found_or_not_yours(escalation.reference)

    def visible(
        self, escalations: list[Escalation], viewer: str, view: str = "list"
    ) -> list[Escalation]:
        """Those of ``escalations`` that ``viewer`` may see, the looks recorded."""
        shown = self.allowed(escalations, viewer)
        self._record_looks(viewer, shown, view)
        return shown

    def allowed(self, escalations: list[Escalation], viewer: str) -> list[Escalation]:
        """Those of ``escalations`` that ``viewer`` may see, nothing recorded: the caller
        records the looks at what it shows (``record_shown``)."""
        own = self.own_cases(viewer)
        return [e for e in escalations if self.sight_of(viewer, e, own).allowed]

    def mark_seen(self, viewer: str, escalation: Escalation) -> None:
        """``viewer`` has seen ``escalation`` as it is now (its page, or their own action)."""
        store.seen.mark(self.ctx.engine, viewer, escalation.reference, escalation.version,
                        self.ctx.clock.now())  # fmt: skip

    def unseen_changes(self, viewer: str, shown: list[Escalation]) -> dict[str, str]:
        """Of ``shown``, those changed since ``viewer`` last saw them (``changed``) or never
        seen by them (``new``): one read for a page of a list."""
        seen = store.seen.versions(self.ctx.engine, viewer, [e.reference for e in shown])
        found: dict[str, str] = {}
        for esc in shown:
            last = seen.get(esc.reference)
            if last is None:
                found[esc.reference] = "new"
            elif last < esc.version:
                found[esc.reference] = "changed"
        return found

    def record_shown(self, viewer: str, shown: list[Escalation], view: str) -> None:
        """Record ``viewer``'s look at ``shown`` (one entry, naming each but their own)."""
        self._record_looks(viewer, shown, view)

    def search_trail(
        self, viewer: str, chosen: TrailFilter, after: int = 0, chunk: int = store.CHUNK
    ) -> Generator[tuple[Any, WorkflowSpec], None, None]:
        """Entries across escalations that ``chosen`` keeps and ``viewer`` may see, each with
        its workflow version, read ``chunk`` at a time; once the caller stops reading, each
        escalation shown to someone other than its raiser is recorded in the access log as an
        export."""
        person = self.ctx.settings.person(viewer)
        sees_all = any(role in person.roles for role in SEE_ALL)
        own = self.own_cases(viewer)
        allowed: dict[str, bool] = {}
        specs: dict[str, WorkflowSpec] = {}
        shown: dict[str, None] = {}
        rows = store.search.trail(self.ctx.engine, chosen, after, chunk)
        try:
            for row in rows:
                reference = row.reference
                if chosen.child is not None and chosen.child not in json.loads(row.case_refs):
                    continue  # narrowed in SQL by a text match, confirmed here
                if not sees_all:
                    if reference not in allowed:
                        seen = self.sight_of(
                            viewer, self.queries.get(reference), own, row.audit_head
                        )
                        allowed[reference] = seen.allowed
                    if not allowed[reference]:
                        continue
                digest = row.workflow_digest
                if digest not in specs:
                    specs[digest] = self.anchoring.pinned(digest, reference)
                if row.raised_by != viewer:
                    shown[reference] = None
                yield row, specs[digest]
        finally:
            rows.close()  # the read ends before the looks are written
            self.record_references(viewer, list(shown), "export")

    def _record_looks(self, viewer: str, escalations: list[Escalation], view: str) -> None:
        others = [e.reference for e in escalations if e.raised_by != viewer]
        self.record_references(viewer, others, view)

    def record_references(self, viewer: str, others: list[str], view: str) -> None:
        if not others:
            return
        with store.unit_of_work(self.ctx.engine) as session:
            access.append(session, at=self.ctx.clock.now(), viewer=viewer, references=others,
                          view=view, signer=self.ctx.signer)  # fmt: skip

    def require_oversight(self, username: str, what: str) -> None:
        """Refuse ``what`` (e.g. "verify the audit trail") to all but the IRO manager and
        auditors, naming the roles that may."""
        self.require_role(username, SEE_ALL, what)

    def require_role(self, username: str, roles: tuple[str, ...], what: str) -> None:
        """Refuse ``what`` to anyone without one of ``roles``, naming the roles that may."""
        person = self.ctx.settings.person(username)
        if not any(role in person.roles for role in roles):
            titles, keys = self.ctx.settings.words.roles(roles), " or ".join(roles)
            written = f" (the {keys} role in config.yaml)" if titles != keys else ""
            raise PermissionDenied(
                f"{person.name} ({person.username}) may not {what}: it is for people with the"
                f" {titles} role{written}."
            )

    def access_log(
        self, auditor: str, *, viewer: str | None = None, reference: str | None = None,
        start: datetime | None = None, end: datetime | None = None,
    ) -> Iterator[access.Look]:  # fmt: skip
        """The access log, for auditors only, filtered; a stream of looks (narrowed to the one
        escalation asked about, where one is)."""
        asked = self._log_filters(auditor, viewer, reference)
        rows = store.access.stream(self.ctx.engine, viewer=viewer, reference=asked, start=start,
                                   end=end)  # fmt: skip
        return access.looks(rows, asked)

    def access_page(
        self, auditor: str, *, before: int | None, size: int, viewer: str | None = None,
        reference: str | None = None, start: datetime | None = None, end: datetime | None = None,
    ) -> tuple[list[access.Look], int | None]:  # fmt: skip
        """A page of the access log, latest first, for auditors only, filtered; and where the
        next (older) page starts, if there is one."""
        asked = self._log_filters(auditor, viewer, reference)
        rows = store.access.newest(self.ctx.engine, before=before, limit=size + 1, viewer=viewer,
                                   reference=asked, start=start, end=end)  # fmt: skip
        older = rows[size - 1].seq if len(rows) > size else None
        return list(access.looks(rows[:size], asked)), older

    def _log_filters(self, auditor: str, viewer: str | None, reference: str | None) -> str | None:
        """Refuse the log to all but auditors and a viewer nobody knows; the reference asked
        about, as references are written."""
        person = self.ctx.settings.person(auditor)
        if AUDITOR not in person.roles:
            raise PermissionDenied(
                f"{person.name} ({person.username}) may not read the access log: it is for people"
                " with the auditor role in config.yaml."
            )
        if viewer is not None:
            self.ctx.settings.person(viewer)
        return reference.upper() if reference else None
