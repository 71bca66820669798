"""The retention schedule applied, on SQLite and PostgreSQL: exactly the text the plan lists as
due is removed, each field by a signed entry naming the rule, once however often it runs; open
and not-yet-due escalations keep theirs; the trail verifies; report figures do not change; the
data protection officer is told once."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from escalation_engine import store
from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.periods import financial_year
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.settings.retention import Retention
from escalation_engine.store.tables import NotificationRow
from tests.support.scenarios import practice_alert


def _service(project: Path, engine: Engine, clock: FakeClock) -> EscalationService:
    with (project / "config.yaml").open("a") as config:
        config.write("notifications:\n  email: {host: 127.0.0.1, port: 2525}\n")
    settings = dataclasses.replace(
        load_settings(project / "config.yaml"),
        retention=Retention(years=2, categories={"contact": 5}),
    )
    return EscalationService(settings, engine, clock)


def _figures(service: EscalationService) -> list[object]:
    report = service.report("priya", financial_year("2024-25"))
    return [(t.key, [(f.key, f.value) for f in t.figures()]) for t in report.tables]


def test_the_worker_removes_exactly_what_the_plan_lists_and_only_once(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock)
    clock.set(datetime(2024, 6, 3, 10, tzinfo=LONDON))
    due = practice_alert(service, case_refs=["CLA-100001"]).reference
    service.act(due, "jo", "respond", note="Allocated to Zebedee's team.")
    service.act(due, "aisha", "accept", note="Satisfied.")
    kept_longer = practice_alert(service, case_refs=["CLA-100002"], category="contact").reference
    service.act(kept_longer, "aisha", "withdraw", note="Resolved at the review.")
    still_open = practice_alert(service, case_refs=["CLA-100003"]).reference
    figures = _figures(service)
    clock.set(datetime(2026, 6, 4, 10, tzinfo=LONDON))

    assert [d.reference for d in service.retaining.due(clock.now().date())] == [due]
    before = {ref: store.texts.kept_for(engine, ref) for ref in (due, kept_longer, still_open)}
    retained = service.retaining.apply(clock.now())
    assert (retained.fields, retained.references) == (len(before[due]), (due,))
    assert store.texts.kept_for(engine, due) == []
    for other in (kept_longer, still_open):
        assert store.texts.kept_for(engine, other) == before[other]
    redactions = [row for row in service.trail(due) if row.action == "redact"]
    assert len(redactions) == len(before[due])
    assert {row.actor for row in redactions} == {"engine"}
    assert '"rule":"2 years after closure on 2024-06-03"' in redactions[0].data
    assert service.get(due).summary == "[redacted]"

    again = service.retaining.apply(clock.now())  # the next day's run, or one after a crash
    assert again.fields == 0
    report = service.verify_all()
    assert report.ok, report.problem
    assert len(report.chain.redacted) == len(before[due])
    assert _figures(service) == figures

    assert service.retaining.tell(clock.now()) == len(before[due])
    assert service.retaining.tell(clock.now()) == 0  # told once
    with Session(engine) as session:
        told = list(
            session.scalars(select(NotificationRow).where(NotificationRow.event == "retention"))
        )
    assert [(row.recipient, row.subject) for row in told] == [
        ("dana", "Retention: text removed from 1 closed escalation(s)")
    ]
    assert due in told[0].body
    assert "Zebedee" not in told[0].body
