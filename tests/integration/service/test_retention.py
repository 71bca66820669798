"""The retention schedule applied, on SQLite and PostgreSQL: exactly the text the plan lists as
due is removed, each field by a signed entry naming the rule, once however often it runs; open
and not-yet-due escalations keep theirs; the trail verifies; report figures do not change; the
data protection officer is told once."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from escalation_engine import store
from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.periods import financial_year
from escalation_engine.errors import InvalidInput, PermissionDenied
from escalation_engine.legacy.files import Sheet
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


def _sheet(
    rows: list[tuple[object, ...]], headers: tuple[str, ...] = ("Case", "Keep until")
) -> Sheet:
    return Sheet(name="dates.csv", digest="ab" * 32, headers=list(headers),
                 rows=[(n, list(row)) for n, row in enumerate(rows, 2)])  # type: ignore[misc]  # fmt: skip


def test_the_case_records_dates_keep_escalations_longer_and_a_bad_file_changes_nothing(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock)
    clock.set(datetime(2024, 6, 3, 10, tzinfo=LONDON))
    closed = practice_alert(service, case_refs=["CLA-100001"]).reference
    service.act(closed, "aisha", "withdraw", note="Raised in error.")
    with pytest.raises(PermissionDenied, match="may not import the case record's retention dates"):
        service.retaining.import_dates("priya", _sheet([("CLA-100001", "2083-05-17")]))
    for rows, headers, said in (
        ([("CLA-100001", "2083-05-17")], ("Case", "Date of birth"), "needs a column 'case'"),
        ([("Zebedee", "2083-05-17"), ("CLA-100002", "soon")], ("case", "keep_until"),
         "2 problem(s), so nothing was imported: row 2: 'ZEBEDEE' is not a case reference;"
         " row 3: 'soon' is not a day"),
        ([("CLA-100001", "2083-05-17"), ("cla-100001", "2084-01-01")], ("case", "keep_until"),
         "row 3: CLA-100001 is given two different days"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput, match=re.escape(said)):
            service.retaining.import_dates("dana", _sheet(rows, headers))
    assert store.case_dates.held(engine) == {}
    assert (
        service.retaining.import_dates(
            "dana", _sheet([("cla-100001", date(2083, 5, 17)), ("CLA-100009", "2090-01-01")])
        )
        == 2
    )
    assert store.case_dates.held(engine) == {"CLA-100001": date(2083, 5, 17),
                                             "CLA-100009": date(2090, 1, 1)}  # fmt: skip
    found = operations.run(service, "dana", "retention_plan")["due"]
    assert [(d["reference"], d["kept"], d["remove_on"]) for d in found] == [
        (closed, "until 2083-05-17 (the case record's date)", "2083-05-17"),
    ]
    clock.set(datetime(2026, 6, 4, 10, tzinfo=LONDON))  # two years on: the case's date holds it
    assert service.retaining.apply(clock.now()).fields == 0
