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

from escalation_engine.clock import SystemClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
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
    tokens = [
        service.sessions.start_session(PEOPLE[n % len(PEOPLE)], "password")[0] for n in range(20)
    ]
    engine.dispose()
    return config.parent, tokens, reference


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, token: str
) -> tuple[int, bytes]:
    """One GET on a kept-open connection: (status, body)."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: escalate_session={token}\r\n\r\n"
        .encode()
    )  # fmt: skip
    head = await reader.readuntil(b"\r\n\r\n")
    fields = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
    }  # fmt: skip
    assert b"content-length" in fields, f"{path}: no Content-Length in {head[:300]!r}"
    return int(head[9:12]), await reader.readexactly(int(fields[b"content-length"]))


async def _load(
    url: str, tokens: list[str], paths: list[str], rounds: int, think: float = 0.0
) -> dict[str, list[float]]:
    # A few lines of HTTP/1.1 rather than an HTTP library: the 20 people share the two cores
    # with the server, and httpx spent 8 ms of CPU on each answer (here: 0.3 ms), a third of
    # what the server had, so the figures measured the client as much as the server.
    times: dict[str, list[float]] = {path: [] for path in paths}
    host, port = url.removeprefix("http://").split(":")

    async def person(token: str) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for _ in range(rounds):
                for path in paths:
                    start = time.perf_counter()
                    status, body = await _get(reader, writer, path, token)
                    times[path].append(time.perf_counter() - start)
                    assert status == 200, (path, status, body[-600:])
                    if think:  # a person reads the page before asking for the next
                        await asyncio.sleep(think)
        finally:
            writer.close()

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
