"""Command latency on the embedded SQLite default: raise, act, and a tick over a backlog.

Run: .venv/bin/python bench/commands.py [COUNT]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import create_schema, make_engine

ROOT = Path(__file__).resolve().parents[1]


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
        shutil.copytree(ROOT / "workflows", folder / "workflows")
        settings = load_settings(folder / "config.yaml")
        engine = make_engine(settings.database_url)
        create_schema(engine)
        clock = FakeClock(datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Europe/London")))
        service = EscalationService(settings, engine, clock)
        raise_times, act_times = [], []
        for index in range(count):
            started = time.perf_counter()
            esc = service.raise_alert(
                username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                case_refs=[f"CLA-{100000 + index}"], category="placement", team="north", summary="x",
            )  # fmt: skip
            raise_times.append(time.perf_counter() - started)
            if index % 2:
                started = time.perf_counter()
                service.act(esc.reference, "jo", "respond", note="answer")
                act_times.append(time.perf_counter() - started)
        clock.advance(days=40)
        started = time.perf_counter()
        report = service.tick()
        tick_time = time.perf_counter() - started
        for name, times in (("raise", raise_times), ("respond", act_times)):
            print(
                f"{name:8} median {statistics.median(times) * 1000:6.2f} ms, p95 {sorted(times)[int(len(times) * 0.95)] * 1000:6.2f} ms"
            )
        print(f"tick     {len(report.applied)} items over {count} escalations in {tick_time:.2f} s")

    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
