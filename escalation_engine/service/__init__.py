"""The one door for every change of state: raise, act, tick.

Each command runs in one transaction: the escalation's new state, its audit entry and its next
deadline are written together or not at all, and a refused command writes nothing. Time comes from
the injected clock; the state machine decides which moves exist; ``stages``, ``actions`` and
``sweep`` hold what each move does.
"""

from __future__ import annotations

from escalation_engine.service.acting import Acting
from escalation_engine.service.anchoring import TrailReport
from escalation_engine.service.base import ENGINE_ACTOR, check_text
from escalation_engine.service.importing import Importing
from escalation_engine.service.raising import Raising
from escalation_engine.service.sessions import Sessions
from escalation_engine.service.sweeping import Applied, Sweeping, TickReport
from escalation_engine.service.watching import Watching

__all__ = [
    "ENGINE_ACTOR",
    "Applied",
    "EscalationService",
    "TickReport",
    "TrailReport",
    "check_text",
]


class EscalationService(Raising, Acting, Sweeping, Importing, Sessions, Watching):
    """Commands and queries over escalations stored in ``engine``: raise, act, mark people away
    and back, apply what falls due, read under the read rules (each look logged), anchor and check the trail, and keep
    local accounts and signed-in sessions; and what each person watches."""
