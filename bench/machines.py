"""How much one shared state machine saves: build time and memory of a ``WorkflowMachine``.

Run: .venv/bin/python bench/machines.py
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path

from escalation_engine.domain.machine import WorkflowMachine
from escalation_engine.spec import load_workflows_dir

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    specs = load_workflows_dir(ROOT / "workflows")
    for spec in specs.values():
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        machines = [WorkflowMachine(spec) for _ in range(50)]
        elapsed = (time.perf_counter() - started) / len(machines)
        size, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{spec.name:20} {elapsed * 1000:6.2f} ms and {size / len(machines) / 1024:6.1f} KiB per machine"
        )
        del machines


if __name__ == "__main__":
    main()
