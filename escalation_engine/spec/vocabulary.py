"""The actions a workflow file may grant under ``permissions``: every person's action the engine
knows, by the name its trail records.

The format checks a file's permission keys against these names, so a typo is refused with the
nearest names instead of granting nothing. What each action does is defined in the domain's
action table; a test keeps the two lists the same.
"""

from __future__ import annotations

PERSON_ACTIONS: tuple[str, ...] = (
    "raise",
    "respond",
    "accept",
    "reject",
    "escalate",
    "bypass",
    "extend",
    "withdraw",
    "refer_cafcass",
    "reopen",
    "rate",
    "supersede",
    "reallocate",
    "meeting",
    "not_looked_after",
)
