"""Functions run in separate processes by the race tests: each opens its own service on the same
database, waits for the others at a barrier, then acts at once."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from escalation_engine.clock import FakeClock
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import make_engine


def _service(config: str, url: str, now: str) -> EscalationService:
    settings = dataclasses.replace(load_settings(Path(config)), database_url=url)
    return EscalationService(settings, make_engine(url), FakeClock(datetime.fromisoformat(now)))


def contender(
    config: str, url: str, now: str, barrier: Any, results: Any, job: dict[str, Any]
) -> None:
    """Take one action, or run one sweep, the moment every contender is ready."""
    service = _service(config, url, now)
    service.workflows  # load before the race, not during it  # noqa: B018
    barrier.wait(timeout=60)
    try:
        if job["kind"] == "tick":
            report = service.tick()
            results.put(
                {
                    "job": job,
                    "ok": True,
                    "applied": [(a.reference, a.kind, a.from_stage) for a in report.applied],
                }
            )
        else:
            esc = service.act(job["reference"], job["user"], job["action"], note=job.get("note", "because"),
                              expected_version=job.get("version"))  # fmt: skip
            results.put({"job": job, "ok": True, "stage": esc.stage})
    except EscalationError as exc:
        results.put({"job": job, "ok": False, "error": type(exc).__name__, "message": str(exc)})
    finally:
        service.engine.dispose()
