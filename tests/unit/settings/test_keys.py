"""The trail's signing key: kept outside the database, readable by its owner only, the pair config.yaml names, from a file or the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from escalation_engine.errors import ConfigError
from escalation_engine.settings import keys
from escalation_engine.settings.config import load_settings


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file, public = keys.write_key_pair(tmp_path / "keys")
    os.chmod(key_file, 0o644)
    with pytest.raises(ConfigError, match="can be read by others .* chmod 600"):
        keys.load_signer(key_file, keys.parse_public(public, "test"))


def test_a_key_that_is_not_the_configured_pair_is_refused(tmp_path: Path) -> None:
    key_file, _ = keys.write_key_pair(tmp_path / "one")
    _, other_public = keys.write_key_pair(tmp_path / "two")
    with pytest.raises(ConfigError, match="does not match audit.public_key"):
        keys.load_signer(key_file, keys.parse_public(other_public, "test"))


def test_the_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file, public = keys.write_key_pair(tmp_path / "keys")
    monkeypatch.setenv(keys.KEY_ENV, key_file.read_text())
    signer = keys.load_signer(None, keys.parse_public(public, "test"))
    verifier = keys.Verifier(keys.parse_public(public, "test"))
    signature = signer.sign(keys.ENTRY, b"abc")
    assert verifier.valid(keys.ENTRY, b"abc", signature)
    assert not verifier.valid(keys.CHECKPOINT, b"abc", signature)  # purposes never mix
    assert not verifier.valid(keys.ENTRY, b"abd", signature)


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
