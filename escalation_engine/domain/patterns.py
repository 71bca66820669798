"""The case-reference pattern: what a child's reference looks like, and nothing else.

An administrator writes the pattern once, and every reference anyone types is matched against
it. Two mistakes there would hurt: a pattern that backtracks catastrophically (``^(A+)+$``) makes
every ``raise`` hang, and a pattern loose enough to accept a person's name lets a child's name be
stored where only a reference belongs. Both are refused when config.yaml is read.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

#: A case reference is short; anything longer is refused before the pattern sees it.
MAX_REFERENCE = 40
MAX_PATTERN = 200

#: Names, as the engine would see them once uppercased; a pattern must accept none of them.
NAMES = (
    "JANE SMITH", "SMITH", "JANE", "MOHAMMED ALI", "O'BRIEN", "ANNE-MARIE", "JANE.SMITH",
    "J SMITH", "OLIVIA", "LI", "NGUYEN", "KOWALSKA",
)  # fmt: skip

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT}


def _variable(items: Any) -> bool:
    """Whether a parsed sub-pattern can match in more than one way: a quantifier whose count
    varies, or alternatives."""
    for op, arg in items:
        if op in _REPEATS:
            low, high, sub = arg
            if low != high or _variable(sub):
                return True
        elif op is sre.BRANCH or op is sre.SUBPATTERN and _variable(arg[-1]):
            return True
    return False


def _nested_quantifier(items: Any) -> bool:
    """Whether a repeat (``+``, ``*``, ``{2,}``) wraps something that can itself match in more
    than one way: the shape that makes a regular-expression engine backtrack exponentially."""
    for op, arg in items:
        if op in _REPEATS:
            _low, high, sub = arg
            if (high is sre.MAXREPEAT or high > 1) and _variable(sub):
                return True
            if _nested_quantifier(sub):
                return True
        elif (
            op is sre.SUBPATTERN
            and _nested_quantifier(arg[-1])
            or op is sre.BRANCH
            and any(_nested_quantifier(branch) for branch in arg[1])
        ):
            return True
    return False


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with ``pattern`` as a case-reference pattern, or ``None`` if nothing is."""
    if len(pattern) > MAX_PATTERN:
        return f"is longer than {MAX_PATTERN} characters"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"is not a valid pattern ({exc})"
    if _nested_quantifier(sre_parse.parse(pattern)):
        return (
            f"{pattern!r} nests one repeat inside another (like (A+)+), which can take minutes to"
            " test a single reference; write each part once, e.g. ^[A-Z]{2,5}-?[0-9]{3,10}$"
        )
    accepted = [name for name in NAMES if compiled.fullmatch(name)]
    if accepted:
        return (
            f"{pattern!r} would accept a person's name such as {accepted[0]!r} as a case"
            " reference; require the digits of the case-record system, e.g."
            " ^[A-Z]{2,5}-?[0-9]{3,10}$"
        )
    return None


def matches(pattern: str, reference: str) -> bool:
    """Whether ``reference`` is a whole case reference under ``pattern`` (already checked)."""
    return len(reference) <= MAX_REFERENCE and re.fullmatch(pattern, reference) is not None
