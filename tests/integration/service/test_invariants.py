"""Random sequences of actions and clock moves never break the engine's invariants."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from escalation_engine.clock import FakeClock
from escalation_engine.domain.actions import catalogue
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store import create_schema, make_engine
from escalation_engine.trail import audit
from tests.support.databases import DATABASES, database
from tests.support.shipped import MONDAY, ROOT

USERS = ["aisha", "tom", "priya", "jo", "ellie", "mark", "helen", "ruth", "david", "sam", "dev"]
ACTIONS = list(catalogue.names())
ALERTS = [
    ("dispute_resolution", "practice_alert", None),
    ("dispute_resolution", "management_alert", None),
    ("dispute_resolution", "good_practice", None),
    ("case_alert", "urgent_alert", None),
    ("rag_rating", "rag_concern", "red"),
    ("rag_rating", "rag_concern", "amber"),
]
TARGETS = [
    "service_manager",
    "director",
    "stage_2",
    "line_manager",
    "monitoring",
    "green",
    "amber",
    "red",
]


class EscalationRuns(RuleBasedStateMachine):
    kind = "sqlite"

    @initialize()
    def setup(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        shutil.copy(ROOT / "config.yaml", self.folder / "config.yaml")
        shutil.copytree(ROOT / "workflows", self.folder / "workflows")
        self.stack = ExitStack()
        url = self.stack.enter_context(database(self.kind, self.folder))
        config = dataclasses.replace(load_settings(self.folder / "config.yaml"), database_url=url)
        self.engine = make_engine(config.database_url)
        create_schema(self.engine)
        self.clock = FakeClock(MONDAY)
        self.service = EscalationService(config, self.engine, self.clock)
        self.references: list[str] = []
        self.closed: dict[str, str] = {}

    def teardown(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()
            self.stack.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _entries(self) -> int:
        return len(audit.entries(self.engine))

    @rule(alert=st.sampled_from(ALERTS), user=st.sampled_from(["aisha", "tom", "jo"]))
    def raise_alert(self, alert: tuple[str, str, str | None], user: str) -> None:
        workflow, alert_type, rating = alert
        before = self._entries()
        try:
            esc = self.service.raise_alert(
                username=user, workflow=workflow, alert_type=alert_type, case_refs=["CLA-100001"],
                category="placement", summary="A concern.", rating=rating,
            )  # fmt: skip
        except EscalationError:
            assert self._entries() == before
            return
        self.references.append(esc.reference)

    @rule(
        index=st.integers(min_value=0, max_value=20),
        user=st.sampled_from(USERS),
        action=st.sampled_from(ACTIONS),
        to=st.sampled_from(TARGETS),
        days=st.integers(min_value=1, max_value=30),
    )
    def act(self, index: int, user: str, action: str, to: str, days: int) -> None:
        if not self.references:
            return
        reference = self.references[index % len(self.references)]
        before = self._entries()
        until = (self.clock.now() + timedelta(days=days)).date()
        try:
            self.service.act(
                reference, user, action, note="because", target=to if action in ("bypass", "rate") else None,
                until=until, consulted="priya",
            )  # fmt: skip
        except EscalationError:
            assert self._entries() == before
            return
        assert self._entries() == before + 1
        if action == "reopen":
            self.closed.pop(reference, None)

    @rule(hours=st.integers(min_value=1, max_value=24 * 15))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        self.service.tick()
        assert self.service.tick().applied == []  # idempotent at the same moment

    @invariant()
    def terminal_stays_terminal_and_open_ones_are_never_forgotten(self) -> None:
        if not hasattr(self, "service"):
            return
        for esc in self.service.all():
            if esc.reference in self.closed:
                assert not esc.is_open, (
                    f"{esc.reference} left {self.closed[esc.reference]} without reopen"
                )
            if esc.is_open:
                assert esc.next_due_at is not None, (
                    f"{esc.reference} at {esc.stage} has nothing due: it could be forgotten"
                )
                assert esc.outcome is None
            else:
                assert esc.stage in OUTCOMES
                assert esc.next_due_at is None
                self.closed[esc.reference] = esc.stage

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        if hasattr(self, "engine"):
            assert audit.verify(self.engine).ok

    @invariant()
    def replaying_each_trail_gives_its_stored_row(self) -> None:
        if hasattr(self, "service"):
            report = self.service.anchoring.replay()
            assert report.ok, report.problem


RUN_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _runs_on(kind: str) -> type[RuleBasedStateMachine]:
    runs = type(f"EscalationRunsOn{kind.title()}", (EscalationRuns,), {"kind": kind})
    runs.TestCase.settings = RUN_SETTINGS
    return runs


if "sqlite" in DATABASES:
    TestEscalationRunsOnSQLite = _runs_on("sqlite").TestCase
if "postgresql" in DATABASES:
    TestEscalationRunsOnPostgreSQL = _runs_on("postgresql").TestCase
