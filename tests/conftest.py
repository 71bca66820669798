"""Shared fixtures: a fresh project folder (config + shipped workflows), its database, a service
on a fake clock. Every test gets its own SQLite file, so nothing leaks between tests."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from escalation_engine.calendar import WorkingCalendar
from escalation_engine.clock import FakeClock
from escalation_engine.config import Settings, load_settings
from escalation_engine.service import EscalationService
from escalation_engine.store import create_schema, make_engine

from .databases import DATABASES, database
from .service_year import ServiceYear, generate

ROOT = Path(__file__).resolve().parents[1]
LONDON = ZoneInfo("Europe/London")
#: Monday 5 January 2026, 09:00 in London: a plain working week with no holidays nearby.
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)


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


@pytest.fixture(scope="module", params=DATABASES)
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceYear]:
    """A generated service-year (2024-25 to April 2026, about 480 escalations) in a folder of
    its own, made once per database for the module that asks for it."""
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


#: Debian's Chromium, driven by Playwright, which downloads no browser of its own.
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for the module's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@contextmanager
def kept_page(browser: Any, name: str, **options: Any) -> Iterator[Any]:
    """A page in a context of its own (``options`` for the context); a screenshot of where it
    ended is kept as test-artefacts/NAME.png."""
    context = browser.new_context(**options)
    opened = context.new_page()
    try:
        yield opened
        artefacts = ROOT / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        opened.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
    finally:
        context.close()
