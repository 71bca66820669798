"""The desk under load: ``escalate serve`` over 100,000 escalations and 1,000,000 audit entries,
20 signed-in people at once on loopback asking for their inbox, an escalation's page and a page
of the trail; the 95th percentile of each page's answer time.

The bulk trail is the report benchmark's (``reporting.fill_years``); a few hundred escalations
are then raised through the service and left open with the team manager, so that the inbox has
something to list. Sessions are started by the service directly (a password check costs 50 ms by
design and is not what is measured).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import subprocess
import time
from pathlib import Path

import httpx

from escalation_engine.clock import SystemClock
from escalation_engine.config import load_settings
from escalation_engine.service import EscalationService
from escalation_engine.store import make_engine

from . import reporting

PEOPLE = ("jo", "aisha", "priya", "ellie", "amir")  # all may see an alert at stage 1
OPEN = 300


def prepare(url: str, escalations: int) -> tuple[Path, list[str], str]:
    """The service folder, 20 session tokens and an escalation's reference."""
    _, config = reporting.fill_years(url, escalations, 5)
    settings = load_settings(config)
    engine = make_engine(settings.database_url)
    service = EscalationService(settings, engine, SystemClock())
    reference = ""
    for n in range(OPEN):
        reference = service.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=[f"CLA-{600000 + n}"], category="permanence", team="north",
            summary="Plan drifted.",
        ).reference  # fmt: skip
    tokens = [service.start_session(PEOPLE[n % len(PEOPLE)], "password")[0] for n in range(20)]
    engine.dispose()
    return config.parent, tokens, reference


async def _load(
    url: str, tokens: list[str], paths: list[str], rounds: int, think: float = 0.0
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {path: [] for path in paths}

    async def person(token: str) -> None:
        cookies = {"cookie": f"escalate_session={token}"}
        async with httpx.AsyncClient(base_url=url, headers=cookies, timeout=60) as client:
            for _ in range(rounds):
                for path in paths:
                    start = time.perf_counter()
                    answer = await client.get(path)
                    times[path].append(time.perf_counter() - start)
                    assert answer.status_code == 200, (path, answer.status_code, answer.text[-600:])
                    if think:  # a person reads the page before asking for the next
                        await asyncio.sleep(think)

    await asyncio.gather(*(person(token) for token in tokens))
    return times


def measure(
    folder: Path, tokens: list[str], reference: str, rounds: int = 10, think: float = 0.0,
    workers: int = 1,
) -> dict[str, float]:  # fmt: skip
    """The 95th percentile (seconds) of each page's answer time from ``escalate serve
    --workers WORKERS``, each person asking for the next page as soon as one arrives (or after
    ``think`` seconds reading it)."""
    process = subprocess.Popen(
        [str(reporting.BIN / "escalate"), "serve", "--host", "127.0.0.1", "--port", "0",
         "--workers", str(workers)],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert found is not None
        url = f"http://127.0.0.1:{found.group(1)}"
        paths = ["/inbox", f"/escalations/{reference}", "/trail?year=2025-26"]
        asyncio.run(_load(url, tokens, paths, 1))  # warm: imports, caches, first queries
        times = asyncio.run(_load(url, tokens, paths, rounds, think))
    finally:
        process.terminate()
        process.communicate(timeout=30)
    return {path: statistics.quantiles(values, n=20)[-1] for path, values in times.items()}
