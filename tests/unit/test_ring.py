"""The unit ring's guard holds: a test here cannot open a database, start a process or connect."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from tests.unit.conftest import LeftTheUnitRing


def test_a_unit_test_cannot_open_a_database() -> None:
    engine = create_engine("sqlite://")
    with pytest.raises(LeftTheUnitRing, match="may not open a database"), engine.connect() as c:
        c.execute(text("SELECT 1"))


def test_a_unit_test_cannot_start_a_process() -> None:
    with pytest.raises(LeftTheUnitRing, match="may not start a process"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)


def test_a_unit_test_cannot_reach_the_network() -> None:
    with (
        pytest.raises(LeftTheUnitRing, match="may not open a network connection"),
        socket.socket() as connection,
    ):
        connection.connect(("127.0.0.1", 5432))
