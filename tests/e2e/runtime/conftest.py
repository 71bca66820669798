"""What the worker's end-to-end tests share: a database of each kind, with every engine the
helpers opened closed before it is dropped, and a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import DATABASES, database
from tests.support.worker import Mail, dispose_all, free_port, start_smtp


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        try:
            yield url
        finally:
            dispose_all()


@pytest.fixture
def mail() -> Iterator[Mail]:
    port = free_port()
    controller, inbox = start_smtp(port)
    try:
        yield Mail(port, inbox)
    finally:
        controller.stop()
