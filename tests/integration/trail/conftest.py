"""What the trail's tests share: a service that signs its trail with a key of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from tests.support.scenarios import signed


@pytest.fixture
def signed_service(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> EscalationService:
    return EscalationService(signed(settings, tmp_path / "keys"), engine, clock)
