"""The privacy notice is written from the running config.yaml: who holds each role now, whether
emails carry the concern's text, where the database is (never its password)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from escalation_engine.app.privacy import notice
from escalation_engine.domain.people import Person
from escalation_engine.settings.config import load_settings
from escalation_engine.settings.retention import Retention

ROOT = Path(__file__).resolve().parents[3]


def test_the_notice_says_who_can_read_each_record_as_config_yaml_has_it() -> None:
    settings = load_settings(ROOT / "config.yaml")
    said = notice(settings)
    assert "| The access log (who looked at what) | auditor (1) |" in said
    assert "| A child's subject-access export | data protection officer (1) |" in said
    assert "left out of the email" in said
    second = Person(username="zoe", name="Zoe Hart", roles=("auditor",), team="quality_assurance")
    changed = dataclasses.replace(
        settings,
        people=settings.people | {"zoe": second},
        notifications=dataclasses.replace(settings.notifications, include_summary=True),
        database_url="postgresql+psycopg://escalate:s3cret@db.example.org/escalations",
    )
    said = notice(changed)
    assert "| The access log (who looked at what) | auditor (2) |" in said
    assert "included in the email" in said
    assert "db.example.org" in said
    assert "s3cret" not in said
    assert "No retention schedule is set" in said
    scheduled = dataclasses.replace(
        settings, retention=Retention(years=25, categories={"safeguarding": 75})
    )
    said = notice(scheduled)
    assert "kept 25 years after it closes; 75 years for those about safeguarding" in said
