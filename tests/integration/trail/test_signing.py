"""Signed entries: made only with the key outside the database, checked with the public key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import ConfigError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert, signed


def test_every_entry_of_a_signed_service_is_signed_and_verifies(
    signed_service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(signed_service)
    signed_service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    rows = audit.entries(engine)
    assert [bool(row.signature) for row in rows] == [True, True]
    report = signed_service.verify()
    assert report.ok
    assert report.signed


def test_a_chain_recomputed_without_the_key_fails_on_the_first_forged_entry(
    signed_service: EscalationService, engine: Engine
) -> None:
    from tests.support.tampering import forge_from

    esc = practice_alert(signed_service)
    signed_service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    forge_from(engine, 2, note="Nothing to see")
    assert audit.verify(engine).ok  # the hash chain alone is fooled...
    report = signed_service.verify()
    assert not report.ok  # ...the signature is not
    assert report.first_bad_seq == 2
    assert "signature that does not match" in str(report.problem)


def test_an_entry_from_a_process_without_signing_is_named_as_not_signed(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    keyed = EscalationService(signed(settings, tmp_path / "keys"), engine, clock)
    practice_alert(keyed)
    practice_alert(EscalationService(settings, engine, clock), case_refs=["CLA-200001"])
    report = keyed.verify()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert "is not signed" in str(report.problem)


def test_signed_from_leaves_the_entries_before_signing_began_alone(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    practice_alert(EscalationService(settings, engine, clock))
    keyed_settings = signed(settings, tmp_path / "keys")
    keyed_settings = dataclasses.replace(
        keyed_settings, audit=dataclasses.replace(keyed_settings.audit, signed_from=2)
    )
    keyed = EscalationService(keyed_settings, engine, clock)
    practice_alert(keyed, case_refs=["CLA-200001"])
    assert keyed.verify().ok


def test_without_the_signing_key_nothing_is_written(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    keyed_settings = signed(settings, tmp_path / "keys")
    (tmp_path / "keys" / "audit-signing.pem").unlink()
    service = EscalationService(keyed_settings, engine, clock)
    with pytest.raises(ConfigError, match="audit signing key file .* cannot be read"):
        practice_alert(service)
    assert audit.entries(engine) == []
    assert service.all() == []


def test_a_forged_entry_is_named_first_when_its_signature_is_checked_on_another_thread(
    signed_service: EscalationService, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from escalation_engine.trail import signature_checks
    from tests.support.tampering import forge_from

    for n in range(6):
        practice_alert(signed_service, case_refs=[f"CLA-30000{n}"])
    monkeypatch.setattr(signature_checks, "CHUNK", 2)  # every two entries to a thread
    assert signed_service.verify().ok
    forge_from(engine, 3, note="Nothing to see")
    report = signed_service.verify()
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert "signature that does not match" in str(report.problem)
    assert report.head == audit.entries(engine)[1].hash  # the last entry that holds
