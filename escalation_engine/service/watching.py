"""Watching: the escalations a person keeps an eye on without their being with them.

People told of an escalation at a stage (its watchers, people copied, the raiser's manager)
watch it from then on; anyone who may see an escalation can start or stop watching it. What
someone watches is listed in their inbox while it is open."""

from __future__ import annotations

from escalation_engine import store
from escalation_engine.domain.escalation import Escalation
from escalation_engine.service.context import Context
from escalation_engine.service.viewing import Viewing


class Watching:
    """Start and stop watching; what a person watches."""

    def __init__(self, ctx: Context, viewing: Viewing) -> None:
        self.ctx = ctx
        self.viewing = viewing

    def watch(self, username: str, reference: str, watching: bool = True) -> Escalation:
        """Start (or, with ``watching=False``, stop) watching ``reference``. Only what someone
        may see can be watched: otherwise refused, and nothing is written."""
        escalation = self.viewing.view(reference, username, "watch")
        user = self.ctx.settings.person(username).username
        with store.unit_of_work(self.ctx.engine) as session:
            if (user in store.watches.watchers(session, escalation.reference)) != watching:
                store.watches.record(
                    session, usernames=[user], reference=escalation.reference,
                    watching=watching, why="asked", at=self.ctx.clock.now(),
                )  # fmt: skip
        return escalation

    def is_watching(self, username: str, reference: str) -> bool:
        with self.ctx.engine.connect() as connection:
            return username in store.watches.watchers(connection, reference)

    def watched(self, username: str) -> list[Escalation]:
        """The open escalations ``username`` watches, most recently watched first (their looks
        are recorded by whoever shows them, through ``visible``)."""
        user = self.ctx.settings.person(username).username
        return store.open_of(self.ctx.engine, store.watches.watched(self.ctx.engine, user))
