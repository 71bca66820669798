"""Two PostgreSQL clusters made for a test: a primary and a synchronous streaming standby
(PostgreSQL's own replication), on free loopback ports, in a folder of their own that is removed
afterwards. The server's programs run as the ``postgres`` account when the tests run as root, as
PostgreSQL refuses to run as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.worker import free_port, wait_for


def _bin() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
    if found.returncode == 0 and (Path(found.stdout.strip()) / "initdb").exists():
        return Path(found.stdout.strip())
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise AssertionError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return versions[-1].parent


def _run(*command: str) -> str:
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run(
        [*as_owner, *command], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command[0]} failed: {done.stdout}{done.stderr}"
    return done.stdout


@dataclass
class Cluster:
    folder: Path
    port: int

    def ctl(self, *args: str) -> None:
        _run(str(_bin() / "pg_ctl"), "-D", str(self.folder), "-w", "-t", "120", *args)

    def start(self) -> None:
        self.ctl("-l", str(self.folder.parent / f"{self.folder.name}.log"), "start")

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, every session cut off."""
        self.ctl("-m", "immediate", "stop")

    def promote(self) -> None:
        self.ctl("promote")

    def sql(self, statement: str, database: str = "postgres") -> str:
        return _run(
            str(_bin() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-At", "-c", statement,
        )  # fmt: skip

    def running(self) -> bool:
        return (self.folder / "postmaster.pid").exists()


@dataclass
class Pair:
    primary: Cluster
    standby: Cluster

    def url(self, database: str) -> str:
        """Both hosts, in turn, taking the one that accepts writes."""
        hosts = "&".join(f"host=127.0.0.1:{c.port}" for c in (self.primary, self.standby))
        return f"postgresql+psycopg://postgres@/{database}?{hosts}&target_session_attrs=read-write"


@contextmanager
def replicated_pair() -> Iterator[Pair]:
    base = Path(tempfile.mkdtemp(prefix="escalate-replication-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary = Cluster(base / "primary", free_port())
    standby = Cluster(base / "standby", free_port())
    try:
        _run(str(_bin() / "initdb"), "-D", str(primary.folder), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8")  # fmt: skip
        with (primary.folder / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nwal_level = replica\n"
                "max_wal_senders = 4\nsynchronous_standby_names = '*'\n"
                "synchronous_commit = on\nfsync = off\n"  # a process killed, not the machine
            )
        primary.start()
        _run(str(_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
             "-U", "postgres", "-D", str(standby.folder), "-R", "-X", "stream",
             "--checkpoint=fast")  # fmt: skip
        with (standby.folder / "postgresql.conf").open("a") as conf:
            # Once promoted it has no standby of its own to wait for, as after a real failover
            # until a new standby is attached (Patroni's synchronous mode does the same).
            conf.write(f"port = {standby.port}\nsynchronous_standby_names = ''\n")
        standby.start()
        # Synchronous from here: a commit is acknowledged only once the standby has it.
        wait_for(
            lambda: primary.sql("SELECT sync_state FROM pg_stat_replication").strip() == "sync",
            30, "the standby to stream synchronously",
        )  # fmt: skip
        yield Pair(primary, standby)
    finally:
        for cluster in (standby, primary):
            if cluster.running():
                cluster.crash()
        shutil.rmtree(base, ignore_errors=True)
