"""The rings and the fixtures every ring shares.

Tests come in three rings that mirror the package: ``tests/unit`` (no database, no process, no
network), ``tests/integration`` (a database: each test on SQLite and on PostgreSQL) and
``tests/e2e`` (real processes, servers and browsers). Each test is marked with its ring from its
folder, so ``-m unit`` runs the unit ring alone. The fixtures here give a fresh project folder
(config and shipped workflows), its database and a service on a fake clock; every test gets its
own database, so nothing leaks between tests.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings, load_settings
from escalation_engine.store import create_schema, make_engine
from tests.support.browser import ARGS, CHROMIUM
from tests.support.databases import DATABASES, database, unreachable
from tests.support.scenarios import svc  # noqa: F401  (a service with a team south)
from tests.support.service_year import ServiceYear, generate
from tests.support.shipped import LONDON, MONDAY, ROOT

RINGS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(item.path).relative_to(ROOT / "tests").parts
        if parts and parts[0] in RINGS:
            item.add_marker(getattr(pytest.mark, parts[0]))
        if "year" in getattr(item, "fixturenames", ()):
            # The generated year is made once per database for a session: its tests share it
            # on one worker rather than each worker making its own.
            item.add_marker(pytest.mark.xdist_group("year"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Without PostgreSQL, the rings that need it say how to start it, once, instead of failing
    test by test; the unit ring needs no database at all."""
    config = session.config
    if hasattr(config, "workerinput") or "postgresql" not in DATABASES:
        return
    if config.getoption("markexpr") == "unit" or config.getoption("collectonly"):
        return
    chosen = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    if chosen and all(ROOT / "tests" / "unit" in (p, *p.parents) for p in chosen):
        return
    problem = unreachable()
    if problem is not None:
        pytest.exit(problem, returncode=4)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "workflows", tmp_path / "workflows")
    return tmp_path


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(project: Path, database_url: str) -> Settings:
    return dataclasses.replace(load_settings(project / "config.yaml"), database_url=database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY)


@pytest.fixture
def service(settings: Settings, engine: Engine, clock: FakeClock) -> EscalationService:
    return EscalationService(settings, engine, clock)


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="session", params=DATABASES)
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceYear]:
    """A generated service-year (2024-25 to April 2026, about 480 escalations) in a folder of
    its own, made once per database and shared by every test that reads it (none writes)."""
    folder = tmp_path_factory.mktemp(f"year-{request.param}")
    shutil.copytree(ROOT / "workflows", folder / "workflows")
    with database(request.param, folder) as url:
        config = (ROOT / "config.yaml").read_text()
        config = config.replace("database_url: sqlite:///escalations.db", f"database_url: {url}")
        (folder / "config.yaml").write_text(config + "allow_act_as: true\n")
        settings = load_settings(folder / "config.yaml")
        engine = make_engine(url)
        create_schema(engine)
        clock = FakeClock(datetime(2024, 4, 1, 9, tzinfo=LONDON))
        service = EscalationService(settings, engine, clock)
        yield ServiceYear(service, generate(service, clock), folder, url)
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for the module's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
