"""The report, the trail export and the legacy import at scale: a two-year database of a million
entries written in bulk, and a 50,000-row spreadsheet.

The bulk trail is shaped like the engine's: each escalation is raised, reminded, answered, rejected
up two tiers and accepted (ten entries), with the details the report reads (a rating, whether a
response came in time); a tenth are RAG ratings. It is not chained or signed: nothing here verifies
it, and writing a million hashes would only slow the set-up.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.store import (
    AuditRow,
    EscalationRow,
    create_schema,
    make_engine,
    tallies,
    unit_of_work,
)
from escalation_engine.trail import audit

from .workloads import settings_for

START = datetime(2024, 4, 1, 9, tzinfo=UTC)
CATEGORIES = (
    "permanence",
    "legal_status",
    "holistic_needs",
    "safeguarding",
    "professional_network",
)
_LADDER = ("team_manager", "service_manager", "assistant_director")
BIN = Path(sys.executable).parent


def _entries(n: int, reference: str, raised: datetime, seq: int) -> list[dict[str, object]]:
    """Ten entries of one escalation, numbered from ``seq``."""
    steps: list[tuple[str, str | None, str, dict[str, object]]] = [
        ("raise", None, "team_manager", {"workflow": "dispute_resolution", "category": "x",
                                         "stage_due": {"at": "2024"}, "with": ["jo"]}),
    ]  # fmt: skip
    for index, stage in enumerate(_LADDER):
        steps.append(("reminder", stage, stage, {"to": ["jo"]}))
        steps.append(("respond", stage, stage, {"as": ["team_manager"], "in_time": n % 7 != 0}))
        if index < 2:
            steps.append(
                ("reject", stage, _LADDER[index + 1], {"as": ["raiser"], "with": ["mark"]})
            )
    steps.append(("accept", _LADDER[-1], "resolved", {"as": ["raiser"], "satisfied": ["raiser"]}))
    rows = []
    for offset, (action, left, entered, data) in enumerate(steps):
        rows.append({
            "seq": seq + offset, "schema_version": audit.SCHEMA_VERSION, "reference": reference,
            "at": raised + timedelta(hours=30 * offset), "actor": "jo", "actor_kind": "person",
            "action": action, "from_stage": left, "to_stage": entered,
            "note": "Permanence meeting booked for 12 March", "data": audit.canonical_json(data),
            "prev_hash": "", "hash": f"{seq + offset:064x}", "signature": "",
        })  # fmt: skip
    return rows


def fill_years(url: str, escalations: int, years: int = 2) -> tuple[int, Path]:
    """``escalations`` escalations over the ``years`` financial years to 2025-26 (2024-25 and
    2025-26 by default, the two a report for 2025-26 compares), ten entries each; returns
    how many entries were written, and the config.yaml of a service folder on the database
    (where commands may act as anyone, for the measurements)."""
    engine = make_engine(url)
    create_schema(engine)
    settings = settings_for(url)
    settings.path.write_text(settings.path.read_text() + "\nallow_act_as: true\n")
    service = EscalationService(settings, engine, FakeClock(START))
    spec = service.workflow("dispute_resolution")
    with unit_of_work(engine) as session:
        service.registry.remember(session, spec, START)
    rng = random.Random(11)
    first = START.replace(year=2026 - years)
    span = (datetime(2026, 3, 20, tzinfo=UTC) - first).total_seconds()
    base = {"workflow": spec.name, "workflow_digest": spec.digest, "alert_type": "practice_alert",
            "summary": "Plan drifted", "team": "north", "looked_after": True, "stage": "resolved",
            "status": "closed", "outcome": "resolved", "with_roles": "[]", "with_people": "[]",
            "satisfied": "[]", "dates": "{}", "version": 10, "last_stage": _LADDER[-1],
            "stages_reached": '["team_manager","service_manager","assistant_director"]'}  # fmt: skip
    seq, written = 1, 0
    rows: list[dict[str, object]] = []
    entries: list[dict[str, object]] = []
    for n in range(escalations):
        raised = first + timedelta(seconds=rng.random() * span)
        reference = f"ESC-{raised.year}-{n:06d}"
        trail = _entries(n, reference, raised, seq)
        seq += len(trail)
        rows.append(base | {"reference": reference, "category": rng.choice(CATEGORIES),
                            "case_refs": f'["CLA-{200000 + n}"]', "raised_by": rng.choice(("aisha", "tom")),
                            "raised_at": raised, "closed_at": trail[-1]["at"],
                            "audit_head": trail[-1]["hash"]})  # fmt: skip
        entries += trail
        if len(entries) >= 50_000:
            written += _flush(engine, rows, entries)
            rows, entries = [], []
    written += _flush(engine, rows, entries)
    with unit_of_work(engine) as session:  # the report's counts, as the service keeps them
        tallies.rebuild(session)
    engine.dispose()
    return written, settings.path


def _flush(engine: object, rows: list[dict[str, object]], entries: list[dict[str, object]]) -> int:
    if not rows:
        return 0
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        session.execute(insert(EscalationRow.__table__), rows)  # type: ignore[attr-defined]
        session.execute(insert(AuditRow.__table__), entries)  # type: ignore[attr-defined]
    return len(entries)


def _child(code: str, *args: str, cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds and peak memory (MB) of a child Python, and what it printed."""
    before = time.perf_counter()
    done = subprocess.run([str(BIN / "python"), "-c", code, *args], cwd=cwd, check=True,
                          capture_output=True, text=True)  # fmt: skip
    took = time.perf_counter() - before
    rss = float(done.stdout.split()[-1]) / 1024
    return took, rss, done.stdout


REPORT = (
    "import resource, sys, time, dataclasses;"
    "from escalation_engine.settings.config import load_settings; from escalation_engine.clock import SystemClock;"
    "from escalation_engine.service import EscalationService; from escalation_engine.store import make_engine;"
    "from escalation_engine.domain.periods import financial_year;"
    "s = load_settings(__import__('pathlib').Path(sys.argv[1]));"
    "service = EscalationService(s, make_engine(s.database_url), SystemClock());"
    "times = []\n"
    "for _ in range(3):\n"
    "    start = time.perf_counter(); r = service.report('priya', financial_year('2025-26'));"
    " times.append(time.perf_counter() - start)\n"
    "print(sorted(times)[1], r.table('summary').rows[0].cells[0].value,"
    " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def report_seconds(config: Path) -> tuple[float, int, float]:
    """The median of three reports for 2025-26: seconds, escalations raised, peak MB."""
    _, rss, printed = _child(REPORT, str(config))
    took, raised, _ = printed.split()
    return float(took), int(raised), rss


EXPORT = (
    "import resource, subprocess, sys;"
    "out = open('trail.csv', 'w');"
    "subprocess.run([sys.argv[1], 'audit', '--format', 'csv', '--as', 'amir'], stdout=out, check=True);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def export_trail(folder: Path) -> tuple[float, float, int]:
    """``escalate audit --format csv`` of the whole trail as an auditor: seconds, its peak
    memory (MB, measured in a parent of its own), lines written."""
    took, peak, _ = _child(EXPORT, str(BIN / "escalate"), cwd=folder)
    with (folder / "trail.csv").open() as handle:
        lines = sum(1 for _ in handle)
    return took, peak, lines


def legacy_file(path: Path, rows: int) -> None:
    rng = random.Random(5)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Case reference", "Alert type", "Category", "Team", "Raised by", "Raised on",
                         "Highest stage", "Outcome", "Closed on"])  # fmt: skip
        for n in range(rows):
            raised = datetime(2019, 4, 1) + timedelta(days=rng.randrange(0, 1800))
            closed = raised + timedelta(days=rng.randrange(1, 40))
            writer.writerow([f"CLA-{400000 + n}", "practice_alert", rng.choice(CATEGORIES), "north",
                             rng.choice(("aisha", "tom")), raised.date().isoformat(),
                             rng.choice(_LADDER), rng.choice(("resolved", "withdrawn")),
                             closed.date().isoformat()])  # fmt: skip


def import_seconds(folder: Path, path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "escalate"), "import", str(path), "--as", "priya"], cwd=folder,
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - start
