"""A longer crash soak than the suite's: kill -9 the worker at random moments for many cycles
while alerts are raised, then check that no deadline was lost or applied twice.

Run: .venv/bin/python -m bench.crash_soak [CYCLES] [SEED]   (from the project folder)
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from escalation_engine.trail import audit
from tests.support.worker import make_site, raise_quick, service, start_worker, wait_for


def main(cycles: int, seed: int) -> int:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="escalate-soak-"))
    site = make_site(folder, f"sqlite:///{folder / 'escalations.db'}")
    svc = service(site)
    references = []
    for cycle in range(cycles):
        if cycle % 3 == 0:
            references.append(raise_quick(svc, f"CLA-{500000 + cycle}"))
        worker = start_worker(site, "soak.log")
        try:
            worker.wait(timeout=rng.uniform(0.2, 3.0))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    worker = start_worker(site, "soak.log")
    try:
        wait_for(
            lambda: all(svc.get(r).stage_breached_at for r in references),
            300,
            "every alert to reach the top",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait()
    applied = Counter(
        (e.reference, e.action, e.from_stage, json.loads(e.data)["due_at"])
        for e in audit.entries(svc.engine)
        if e.actor_kind == "engine"
    )
    doubled = [key for key, count in applied.items() if count > 1]
    lost = [
        r
        for r in references
        if [e.action for e in audit.entries(svc.engine, r)].count("timeout") != 2
    ]
    report = audit.verify(svc.engine)
    print(
        f"{cycles} kill -9 cycles, {len(references)} alerts, {sum(applied.values())} engine entries"
    )
    print(
        f"doubled: {doubled or 'none'}; lost: {lost or 'none'}; audit chain: {'verified' if report.ok else report.problem}"
    )
    print(f"folder: {site}")
    return 0 if not doubled and not lost and report.ok else 1


if __name__ == "__main__":
    sys.exit(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 100,
            int(sys.argv[2]) if len(sys.argv) > 2 else 1,
        )
    )
