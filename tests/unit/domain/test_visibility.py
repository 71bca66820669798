"""The read rules as a pure decision: who may see an escalation, on what ground, and what a
refusal says."""

from __future__ import annotations

import pytest

from escalation_engine.domain.visibility import Involvement, sight
from tests.support import shipped

DRP = shipped.workflow("dispute_resolution")
PEOPLE = shipped.settings().people
NOBODY = Involvement()


@pytest.mark.parametrize(
    ("viewer", "involvement", "own_cases", "why"),
    [
        ("priya", NOBODY, frozenset(), "as iro manager"),
        ("amir", NOBODY, frozenset(), "as auditor"),
        ("aisha", NOBODY, frozenset(), "raised by them"),
        ("sam", Involvement(told=frozenset({"sam"})), frozenset(), "copied on it"),
        ("jo", Involvement(waited_on=frozenset({"jo"})), frozenset(), "it was with them"),
        ("tom", NOBODY, frozenset({"CLA-100234"}), "about a child they have raised alerts about"),
        (
            "mark",
            Involvement(stage_roles=frozenset({"service_manager"})),
            frozenset(),
            "it reached their tier in their line",
        ),
    ],
    ids=["iro manager", "auditor", "raiser", "copied", "waited on", "caseload", "tier in line"],
)
def test_each_ground_for_seeing_an_escalation(
    viewer: str, involvement: Involvement, own_cases: frozenset[str], why: str
) -> None:
    seen = sight(PEOPLE[viewer], shipped.escalation(DRP), involvement, PEOPLE, own_cases)
    assert (seen.allowed, seen.why) == (True, why)


def test_a_tier_outside_the_childs_line_does_not_see_it() -> None:
    esc = shipped.escalation(DRP, team="south", raised_by="tom")
    involvement = Involvement(stage_roles=frozenset({"team_manager"}))
    seen = sight(PEOPLE["jo"], esc, involvement, PEOPLE, frozenset())
    assert not seen.allowed
    assert seen.why.startswith("Jo Bennett (jo) may not see ESC-2026-0001: it was not raised by")
    assert "The IRO manager and auditors see every escalation." in seen.why


def test_another_iro_without_a_link_to_the_child_does_not_see_it() -> None:
    seen = sight(PEOPLE["tom"], shipped.escalation(DRP), NOBODY, PEOPLE, frozenset({"CLA-9"}))
    assert not seen.allowed
