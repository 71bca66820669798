"""The actions a workflow file may grant under ``permissions``: every person's action the engine
knows, by the name its trail records, with who may take it when a file says nothing.

The format checks a file's permission keys against these names, so a typo is refused with the
nearest names instead of granting nothing. What each action does is defined in the domain's
action catalogue; a test keeps the two lists the same, and registering an action there admits
its permission here for as long as it is registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

#: Who may take an action when a workflow says nothing: the raiser; the stage's own people (its
#: responders, its judges, whoever may escalate it); or nobody until the workflow names roles.
Default = Literal["raiser", "stage", "named"]


@dataclass(frozen=True, slots=True)
class Permission:
    name: str
    default: Default
    #: Separation of duties: someone who raised the alert takes it only as its raiser.
    own_alert: bool = False


SHIPPED: tuple[Permission, ...] = (
    Permission("raise", "named"),
    Permission("respond", "stage", own_alert=True),
    Permission("handle", "stage", own_alert=True),
    Permission("accept", "stage", own_alert=True),
    Permission("reject", "stage", own_alert=True),
    Permission("escalate", "stage"),
    Permission("bypass", "raiser"),
    Permission("extend", "named"),
    Permission("withdraw", "raiser", own_alert=True),
    Permission("refer_cafcass", "raiser"),
    Permission("reopen", "raiser"),
    Permission("rate", "raiser"),
    Permission("supersede", "raiser", own_alert=True),
    Permission("reallocate", "raiser"),
    Permission("meeting", "raiser"),
    Permission("not_looked_after", "raiser"),
)

_PERMISSIONS: dict[str, Permission] = {p.name: p for p in SHIPPED}


def names() -> tuple[str, ...]:
    """Every permission key a workflow may use."""
    return tuple(_PERMISSIONS)


def with_default(default: Default) -> tuple[str, ...]:
    return tuple(p.name for p in _PERMISSIONS.values() if p.default == default)


def own_alert() -> tuple[str, ...]:
    return tuple(p.name for p in _PERMISSIONS.values() if p.own_alert)


@contextmanager
def admitted(name: str, *, default: Default = "raiser", own: bool = False) -> Iterator[None]:
    """``name`` among the permissions while the block runs (an action registered for a while)."""
    if name in _PERMISSIONS:
        raise ValueError(f"a permission named {name!r} exists already")
    _PERMISSIONS[name] = Permission(name, default, own)
    try:
        yield
    finally:
        del _PERMISSIONS[name]
