"""What the worker's end-to-end tests share: a database of each kind, with every engine the
helpers opened closed before it is dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import DATABASES, database
from tests.support.worker import dispose_all


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        try:
            yield url
        finally:
            dispose_all()
