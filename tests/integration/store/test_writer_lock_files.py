"""A process writing to many SQLite databases keeps the lock file open for the latest only."""

from __future__ import annotations

from pathlib import Path


def test_a_process_writing_to_many_databases_keeps_a_lock_file_open_for_the_latest_only(
    tmp_path: Path,
) -> None:
    # A process that has written to many databases (a test run, a council's training folders)
    # does not run out of descriptors: the writers it forgets close their lock files.
    import gc
    import os

    from escalation_engine.store.writers import writers

    def open_descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_descriptors()
    for n in range(200):
        path = str(tmp_path / f"{n}.db")
        with writers(f"sqlite:///{path}", path).turn(1):
            assert Path(path + ".writer.lock").exists()
    gc.collect()
    assert open_descriptors() - before <= 64
