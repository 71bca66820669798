"""Signed entries: made only with the key outside the database, checked with the public key."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine import audit, signing
from escalation_engine.clock import FakeClock
from escalation_engine.config import AuditSettings, Settings, load_settings
from escalation_engine.errors import ConfigError
from escalation_engine.service import EscalationService

from .test_service import practice_alert


def signed(settings: Settings, folder: Path) -> Settings:
    """``settings`` with a new key pair in ``folder``, as ``escalate init`` makes one."""
    key_file, public = signing.write_key_pair(folder)
    audit_settings = AuditSettings(public_key=public, signing_key_file=key_file)
    return dataclasses.replace(settings, audit=audit_settings)


@pytest.fixture
def signed_service(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> EscalationService:
    return EscalationService(signed(settings, tmp_path / "keys"), engine, clock)


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
    from .test_tampering import forge_from

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


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file, public = signing.write_key_pair(tmp_path / "keys")
    os.chmod(key_file, 0o644)
    with pytest.raises(ConfigError, match="can be read by others .* chmod 600"):
        signing.load_signer(key_file, signing.parse_public(public, "test"))


def test_a_key_that_is_not_the_configured_pair_is_refused(tmp_path: Path) -> None:
    key_file, _ = signing.write_key_pair(tmp_path / "one")
    _, other_public = signing.write_key_pair(tmp_path / "two")
    with pytest.raises(ConfigError, match="does not match audit.public_key"):
        signing.load_signer(key_file, signing.parse_public(other_public, "test"))


def test_the_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file, public = signing.write_key_pair(tmp_path / "keys")
    monkeypatch.setenv(signing.KEY_ENV, key_file.read_text())
    signer = signing.load_signer(None, signing.parse_public(public, "test"))
    verifier = signing.Verifier(signing.parse_public(public, "test"))
    signature = signer.sign(signing.ENTRY, b"abc")
    assert verifier.valid(signing.ENTRY, b"abc", signature)
    assert not verifier.valid(signing.CHECKPOINT, b"abc", signature)  # purposes never mix
    assert not verifier.valid(signing.ENTRY, b"abd", signature)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("rsa:AAAA", "must start with 'ed25519:'"),
        ("ed25519:not-base64!", "is not an Ed25519 public key"),
        ("ed25519:AAAA", "is not an Ed25519 public key"),
    ],
)
def test_a_malformed_public_key_in_config_is_named(project: Path, value: str, message: str) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text() + f"\naudit:\n  public_key: '{value}'\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)
