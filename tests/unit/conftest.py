"""The unit ring: pure rules, no database, no process, no network. Each is refused here, so a
test that reaches for one fails at once instead of quietly becoming slow."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import matplotlib.font_manager
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Matplotlib lists the machine's fonts once (running ``fc-list``) and caches them: on a machine
# that has never drawn a chart, do it here, before processes are refused, not in a chart's test.
matplotlib.font_manager.fontManager.get_font_names()


class LeftTheUnitRing(AssertionError):
    """A unit test opened a database, started a process or reached for the network."""


def _refuse(what: str) -> Any:
    def refused(*_: Any, **__: Any) -> Any:
        raise LeftTheUnitRing(f"a unit test may not {what}; move it to tests/integration or e2e")

    return refused


def _no_database(*_: Any) -> None:
    raise LeftTheUnitRing("a unit test may not open a database; move it to tests/integration")


@pytest.fixture(autouse=True)
def _pure(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("start a process"))
    monkeypatch.setattr(os, "fork", _refuse("fork"))
    monkeypatch.setattr(socket.socket, "connect", _refuse("open a network connection"))
    event.listen(Engine, "connect", _no_database)
    try:
        yield
    finally:
        event.remove(Engine, "connect", _no_database)
