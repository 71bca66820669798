"""``escalate`` in a process of its own for each run, without paying for Python's start-up and
imports each time.

A server process imports the command and what its commands load, once; then, for each run, it
forks a child that changes to the folder, takes the environment given, reads nothing from
standard input, writes its own standard output and error, and runs the installed entry point
(``escalation_engine.cli:main``) with the arguments. The child is a real process: its exit code,
its output and its CPU time are its own, and nothing it does stays behind in the server, which
never runs a command itself. The server is single-threaded, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

SERVER = r"""
import json, os, signal, sys, traceback

import escalation_engine.cli as cli
# What the commands import on first use, imported once here so that no child pays for it.
import escalation_engine.app.operations, escalation_engine.cli.backend
import escalation_engine.service, escalation_engine.store, escalation_engine.store.migrate
import escalation_engine.legacy.rows, escalation_engine.reports.build
import psycopg, sqlalchemy.dialects.postgresql.psycopg, sqlalchemy.dialects.sqlite

for line in sys.stdin:
    asked = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        signal.alarm(60)  # a run that hangs is ended, and reported by its signal
        try:
            os.chdir(asked["cwd"])
            os.environ.clear()
            os.environ.update(asked["env"])
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                    (1, asked["out"], os.O_WRONLY | os.O_TRUNC),
                                    (2, asked["err"], os.O_WRONLY | os.O_TRUNC)):
                opened = os.open(path, flags)
                os.dup2(opened, fd)
                os.close(opened)
            sys.argv = ["escalate", *asked["args"]]
            try:
                cli.main()
                code = 0
            except SystemExit as exit:
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
                code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    done = {"code": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime}
    print(json.dumps(done), flush=True)
"""


class Forks:
    """A fork server for ``escalate`` runs; use it as a context manager."""

    def __init__(self, env: dict[str, str]) -> None:
        # The terminal width the commands see is fixed when rich is imported: wide, so that a
        # refusal is one line however long.
        self._server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env | {"COLUMNS": "2000"},
            text=True,
        )
        self._folder = tempfile.TemporaryDirectory(prefix="escalate-forks-")

    def run(
        self, args: list[str], *, cwd: Path, env: dict[str, str]
    ) -> tuple[subprocess.CompletedProcess[str], float]:
        """Run ``escalate ARGS`` in ``cwd`` with exactly ``env``; return what it did and the CPU
        seconds it used."""
        assert self._server.stdin is not None
        assert self._server.stdout is not None
        out, err = Path(self._folder.name, "out"), Path(self._folder.name, "err")
        out.write_bytes(b"")
        err.write_bytes(b"")
        asked = {"args": args, "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)}
        self._server.stdin.write(json.dumps(asked) + "\n")
        self._server.stdin.flush()
        answer = self._server.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server stopped (exit {self._server.wait()})")
        done = json.loads(answer)
        result = subprocess.CompletedProcess(
            ["escalate", *args],
            done["code"],
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
        )
        return result, float(done["cpu"])

    def __enter__(self) -> Forks:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._server.stdin is not None
        assert self._server.stdout is not None
        self._server.stdin.close()
        self._server.wait(timeout=60)
        self._server.stdout.close()
        self._folder.cleanup()


def environment() -> dict[str, str]:
    """This process's environment without any of the engine's own settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
