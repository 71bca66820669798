"""``escalate demo``: a fortnight of an IRO service in a few seconds.

A fresh SQLite database in a temporary folder, the shipped workflows and sample people, and a
simulated clock moved through working days. Deadlines are applied by ``EscalationService.tick``,
the same operation ``escalate tick`` and the worker use, so what the demo shows is what runs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from sqlalchemy.exc import DBAPIError

from escalation_engine import store
from escalation_engine.app import readmodel, sentences, skeleton
from escalation_engine.cli import views
from escalation_engine.clock import FakeClock
from escalation_engine.domain import labels
from escalation_engine.domain.calendar import LONDON
from escalation_engine.errors import ConfigError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import DATABASE_ENV, load_settings
from escalation_engine.settings.database import safe_url
from escalation_engine.store import create_schema, make_engine

START = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # Monday 2 March 2026


@contextmanager
def _demo_database(folder: Path, keep: bool) -> Iterator[str]:
    """A fresh database: a SQLite file in ``folder``, or, when ``ESCALATE_DATABASE_URL`` names a
    server, a new database on that server, dropped afterwards unless kept."""
    url = os.environ.get(DATABASE_ENV)
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'demo.db'}"
        return
    name = f"escalate_demo_{uuid.uuid4().hex[:12]}"
    try:
        demo_url = store.create_database(url, name)
    except DBAPIError as exc:
        raise ConfigError(
            f"The demo makes its own database on the server named by {DATABASE_ENV}, and could not"
            f" ({exc.orig}); connect as a role that may create databases."
        ) from None
    try:
        yield demo_url
    finally:
        if not keep:
            store.drop_database(url, name)


def _setup(folder: Path, url: str) -> EscalationService:
    kept_url = "sqlite:///demo.db" if url.startswith("sqlite") else None
    skeleton.write_config(folder, database_url=kept_url, training=True)
    skeleton.copy_workflows(folder)
    settings = dataclasses.replace(load_settings(folder / "config.yaml"), database_url=url)
    engine = make_engine(url)
    create_schema(engine)
    service = EscalationService(settings, engine, FakeClock(START))
    service.anchoring.record_installation(training=True, now=START)
    return service


def _advance(console: Console, service: EscalationService, clock: FakeClock, days: int) -> None:
    clock.advance(days=days)
    report = service.tick()
    console.print(
        Rule(f"{labels.local(clock.now())}: {days} days later, the engine applies what is due")
    )
    for item in report.applied:
        spec = service.spec_for(service.get(item.reference))
        moves = (item.from_stage, item.to_stage)
        line = sentences.applied_line(
            item.reference, item.kind, item.due_at, moves, service.words, spec
        )
        console.print(f"  {escape(line)}")
    if not report.applied:
        console.print("  nothing due")


def _story(console: Console, service: EscalationService) -> list[str]:
    clock = service.clock
    assert isinstance(clock, FakeClock)
    say = console.print
    say(Rule(f"{labels.local(clock.now())}: alerts are raised"))
    drift = service.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="drift_and_delay", team="north",
        summary="No permanence plan four months after the second review.",
    )  # fmt: skip
    say(
        f"  Aisha (IRO) raises {drift.reference}, a Practice Alert, with {', '.join(drift.with_people)}; due {labels.local(drift.stage_due_at)}"
    )
    siblings = service.raise_alert(
        username="tom", workflow="dispute_resolution", alert_type="management_alert",
        case_refs=["CLA-100877", "CLA-100878"], category="safeguarding", team="north",
        summary="Sibling contact stopped without a decision recorded.",
    )  # fmt: skip
    say(f"  Tom (IRO) raises {siblings.reference} for two siblings straight to the service manager")
    red = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="red",
        case_refs=["CLA-100452"], category="health_assessment", team="north",
        summary="Health assessment eight months overdue.",
    )  # fmt: skip
    say(
        f"  Aisha rates CLA-100452 Red: {red.reference} goes to the line manager ({', '.join(red.with_people)})"
    )
    good = service.raise_alert(
        username="tom", workflow="dispute_resolution", alert_type="good_practice",
        case_refs=["CLA-100311"], category="participation", team="north",
        summary="Excellent work helping the young person chair their own review.",
    )  # fmt: skip
    say(f"  Tom records good practice as {good.reference}: {good.outcome}, never escalated")
    _climb(console, service, clock, drift.reference, siblings.reference, red.reference)
    return [drift.reference, siblings.reference, red.reference, good.reference]


def _climb(
    console: Console, service: EscalationService, clock: FakeClock, drift_ref: str,
    siblings_ref: str, red_ref: str,
) -> None:  # fmt: skip
    """Managers respond, a deadline passes, a response is rejected, a bypass, and Cafcass."""
    say = console.print
    siblings, red = service.get(siblings_ref), service.get(red_ref)
    clock.advance(days=2)
    say(Rule(f"{labels.local(clock.now())}: managers respond"))
    service.act(
        siblings.reference,
        "mark",
        "respond",
        note="Contact reinstated fortnightly from next week; decision recorded.",
    )
    service.act(siblings.reference, "tom", "accept", note="Satisfied: contact plan in place.")
    say(f"  Mark (service manager) responds to {siblings.reference}; Tom accepts: resolved")
    service.act(
        red.reference, "aisha", "rate", target="amber", note="Assessment booked; plan progressing."
    )
    say(
        f"  The health assessment is booked: Aisha rates {red.reference} Amber and it drops back to monitoring"
    )

    _advance(console, service, clock, 6)
    drift = service.get(drift_ref)
    say(
        f"  {drift.reference} had no response from the team manager: it is now with {', '.join(drift.with_people)}"
    )
    service.act(
        drift.reference, "mark", "respond", note="Permanence planning meeting to be arranged."
    )
    service.act(drift.reference, "aisha", "reject", note="No date and no named worker: not enough.")
    say(
        "  Mark responds without a date; Aisha rejects it as unsatisfactory: it climbs to the assistant director"
    )
    clock.advance(days=1)
    service.act(drift.reference, "aisha", "bypass", target="director", consulted="priya",
                note="Placement breaking down; child's permanence at serious risk.")  # fmt: skip
    say("  After consulting Priya (IRO manager), Aisha bypasses to the director")
    _advance(console, service, clock, 20)
    service.act(
        drift.reference,
        "aisha",
        "refer_cafcass",
        note="Plan still not progressing; the child's rights are at risk.",
    )
    say(
        f"  Still unresolved past the 20-working-day limit: Aisha refers {drift.reference} to Cafcass"
    )


def run_demo(console: Console, keep: Path | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="escalate-demo-")) if keep is None else keep.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "demo.db").exists():
        (folder / "demo.db").unlink()
    for stale in ("config.yaml", "workflows"):
        target = folder / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    with _demo_database(folder, keep is not None) as url:
        _run(console, folder, url, keep)


def _run(console: Console, folder: Path, url: str, keep: Path | None) -> None:
    try:
        service = _setup(folder, url)
        console.print(Rule("[bold]IRO escalation engine: demonstration[/bold]"))
        console.print(
            "A simulated fortnight in a fresh database, deadlines counted in England & Wales working days.\n"
        )
        references = _story(console, service)
        console.print(Rule("Where everything stands"))
        items = [readmodel.escalation(service, esc) for esc in service.all()]
        console.print(views.escalation_table(items, "All escalations"))
        for reference in references[:2]:
            esc = service.get(reference)
            rows = service.trail(reference)
            item = readmodel.escalation(service, esc, service.allowed_actions(esc), rows=rows)
            console.print(views.escalation_panel(item))
        report = service.verify()
        status = "[green]verified[/green]" if report.ok else f"[red]BROKEN[/red]: {report.problem}"
        console.print(f"\nAudit trail {status}: {report.entries} entries, head {report.head[:16]}…")
        service.close()
        if keep is not None:
            where = folder / "config.yaml"
            shown = safe_url(url)
            prefix = "" if url.startswith("sqlite") else f"ESCALATE_DATABASE_URL={shown} "
            hint = " (with the password in place of ***)" if shown != url else ""
            console.print(
                f"Kept in {folder}: try  {prefix}escalate --config {where} list --all{hint}"
            )
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
