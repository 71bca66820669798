"""The read model as JSON: an escalation with its facts in words, what happens next, an entry of
its trail and a workflow told stage by stage; keys stay keys, and people read titles and names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from escalation_engine.app import readmodel
from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.labels import Words
from escalation_engine.domain.machine import machine_for
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail.audit import Entry
from tests.support import shipped
from tests.support.shipped import MONDAY

DRP = shipped.workflow("dispute_resolution")


@dataclass
class Shipped:
    """The shipped service's words and workflows, at a moment of the test's choosing."""

    clock: FakeClock
    words: Words = shipped.settings().words

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        return shipped.workflow(escalation.workflow)

    def allowed_actions(self, escalation: Escalation) -> list[str]:
        return machine_for(self.spec_for(escalation)).allowed_actions(escalation.stage)


def test_an_escalation_keeps_its_keys_and_shows_words() -> None:
    esc, _ = shipped.entered(DRP)
    data = readmodel.escalation(Shipped(FakeClock(MONDAY)), esc)
    assert (data["stage"], data["category"], data["with_people"]) == (
        "team_manager", "drift_and_delay", ["ellie", "jo"],
    )  # fmt: skip
    assert data["stage_due_at"] == "2026-01-12T17:00:00+00:00"
    assert data["shown"] == {
        "case": "CLA-100234",
        "workflow": "Dispute Resolution Protocol, version 1: Practice Alert",
        "category": "Drift and delay",
        "team": "North",
        "raised": "Mon 05 Jan 2026 09:00 by Aisha Khan",
        "stage": "Stage 1: team manager",
        "rating": None,
        "with": "Ellie Ward, Jo Bennett",
        "handling": None,
        "due": "12 Jan 2026 17:00",
        "status": "awaiting a response",
        "status_style": "waiting",
        "plain_status": "awaiting a response",
    }


def test_past_its_deadline_it_shows_as_overdue() -> None:
    esc, _ = shipped.entered(DRP)
    late = Shipped(FakeClock(MONDAY + timedelta(days=8)))
    assert readmodel.escalation(late, esc)["shown"]["status"] == "overdue"


def test_with_the_actions_allowed_it_says_what_happens_next_in_sentences() -> None:
    esc, _ = shipped.entered(DRP)
    source = Shipped(FakeClock(MONDAY))
    data = readmodel.escalation(source, esc, source.allowed_actions(esc))
    assert data["next"][:2] == [
        "Waiting for a response from Ellie Ward, Jo Bennett (assistant team manager or team"
        " manager).",
        "Deadline Mon 12 Jan 2026 17:00; if nothing satisfactory by then, it moves to Stage 2:"
        " service manager or head of service.",
    ]
    assert data["allowed_actions"] == source.allowed_actions(esc)


def test_a_new_escalation_is_reported_in_one_sentence() -> None:
    esc, _ = shipped.entered(DRP)
    said = readmodel.raised(Shipped(FakeClock(MONDAY)), esc)["said"]
    assert said == (
        "Raised ESC-2026-0001: now with Ellie Ward, Jo Bennett at Stage 1: team manager, due"
        " Mon 12 Jan 2026 17:00."
    )


def test_an_entry_shows_when_who_what_and_the_note_with_what_it_records() -> None:
    esc, _ = shipped.entered(DRP)
    stored = {"as": ["raiser"], "with": ["helen"], "routed": "mark is away: with helen",
              "training": True}  # fmt: skip
    row = Entry(
        seq=2, schema_version=2, reference=esc.reference, at=MONDAY, actor="aisha",
        actor_kind="person", action="reject", from_stage="team_manager",
        to_stage="service_manager", note="No date for the panel", data=json.dumps(stored),
        prev_hash="0" * 64, hash="1" * 64,
    )  # fmt: skip
    data = readmodel.entry(Shipped(FakeClock(MONDAY)), row, esc)  # type: ignore[arg-type]
    assert data["action"] == "reject"
    assert data["data"]["training"] is True
    assert data["shown"] == {
        "when": "05 Jan 2026 09:00",
        "who": "Aisha Khan",
        "what": "Rejected the response",
        "move": "Stage 1: team manager → Stage 2: service manager or head of service",
        "note": "No date for the panel\nRouted: mark is away: with helen\nTraining: recorded on a"
        " training database, on its clock",
        "entry": "Entry 2",
    }


def test_a_workflow_is_told_stage_by_stage_with_its_diagram() -> None:
    data = readmodel.workflow(Shipped(FakeClock(MONDAY)), DRP)
    first = data["stages"][0]
    assert first["title"] == "Stage 1: team manager"
    assert first["sentence"] == (
        "5 working days; with no satisfactory response by then it moves to Stage 2: service"
        " manager or head of service"
    )
    assert "stands in: duty manager" in first["facts"]
    assert data["overall_limit"] == "20 working days (from raised)"
    assert data["mermaid"].startswith("flowchart TD")


def test_the_access_log_reads_as_one_look_per_page_of_a_list() -> None:
    from escalation_engine.app.oversight import grouped_looks

    at = "2026-12-07T09:30:00+00:00"
    rows = [
        {"at": at, "viewer": "jo", "viewer_name": "Jo Bennett", "view": "list", "reference": r}
        for r in ("ESC-2026-0001", "ESC-2026-0002")
    ] + [{"at": at, "viewer": "jo", "viewer_name": "Jo Bennett", "view": "show",
          "reference": "ESC-2026-0002"}]  # fmt: skip
    looks = grouped_looks(rows)
    assert [(look["how"], look["references"]) for look in looks] == [
        ("saw it in a list", ["ESC-2026-0001", "ESC-2026-0002"]),
        ("opened its page", ["ESC-2026-0002"]),
    ]
    assert looks[0]["when"] == "Mon 07 Dec 2026 09:30"
