"""The README's walkthrough runs as written."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.support.shipped import ROOT


def walkthrough() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- walkthrough", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_walkthrough_runs_line_by_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ESCALATE_FAKE_NOW"] = "2026-01-05T09:00:00+00:00"
    cwd = tmp_path
    for line in walkthrough():
        first, _, rest = line.partition(" && ")
        if first.startswith("mkdir "):
            cwd = cwd / shlex.split(first)[1]
            cwd.mkdir()
            line = rest.removeprefix("cd " + cwd.name).strip()
            if not line:
                continue
        result = subprocess.run(
            line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        if line.startswith("escalate report"):  # the year the walkthrough's data is in
            figures = subprocess.run(
                line + " --format json", shell=True, cwd=cwd, env=env, capture_output=True,
                text=True, timeout=60,
            )  # fmt: skip
            summary = json.loads(figures.stdout)["tables"][0]
            imported = next(row for row in summary["rows"] if row["key"] == "imported")
            assert imported["cells"][0]["value"] > 0  # the imported escalations are counted
    final = subprocess.run(
        "escalate show ESC-2026-0001 --json --as aisha",
        shell=True,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert '"outcome": "referred_to_cafcass"' in final.stdout
