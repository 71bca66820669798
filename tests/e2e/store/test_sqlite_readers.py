"""On SQLite, readers never fail and writers wait their turn: sixteen people raising alerts while
sixteen others look at them, all at once, in real processes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ESCALATE, init_site, raise_alert

WRITERS = READERS = 16


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env |= {
        "ESCALATE_USER": "aisha",
        "ESCALATE_FAKE_NOW": "2026-01-05T10:00:00+00:00",
        "COLUMNS": "120",
    }
    return subprocess.Popen(
        [str(ESCALATE), *args], cwd=folder, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_sixteen_writers_and_sixteen_readers_at_once_all_succeed(tmp_path: Path) -> None:
    init_site(tmp_path, f"sqlite:///{tmp_path / 'escalations.db'}")
    first = raise_alert(tmp_path)["reference"]
    processes = []
    for n in range(max(WRITERS, READERS)):
        if n < WRITERS:
            processes.append(_start(
                tmp_path, "raise", "--type", "practice_alert", "--case", f"CLA-{200000 + n}",
                "--category", "contact", "--team", "north", "--summary", f"Concern {n}",
            ))  # fmt: skip
        if n < READERS:
            command = ("show", str(first)) if n % 2 else ("list", "--all", "--json")
            processes.append(_start(tmp_path, *command))
    results = [(p.args, p.wait(timeout=300), *p.communicate()) for p in processes]
    failures = [(args, code, err) for args, code, _out, err in results if code != 0]
    assert failures == []
    assert not any("locked" in out + err for _args, _code, out, err in results)
    listed = json.loads(_start(tmp_path, "list", "--all", "--json").communicate()[0])
    assert len(listed) == 1 + WRITERS
