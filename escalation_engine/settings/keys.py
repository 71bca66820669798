"""The audit trail's signature: an Ed25519 key kept outside the database.

The hash chain alone proves only that entries fit together; its algorithm is public, so anyone who
can write to the database could rewrite the trail and recompute every hash. A signature over each
entry's hash can be made only with the private key, which lives in a file readable by the account
that runs the engine (or in the environment), never in a row; anyone with the public key from
config.yaml can check it. Checkpoints written outside the database are signed the same way.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from escalation_engine.errors import ConfigError

KEY_ENV = "ESCALATE_AUDIT_KEY"
KEY_FILE_ENV = "ESCALATE_AUDIT_KEY_FILE"
PREFIX = "ed25519:"
#: What a signature covers is said in its first bytes, so an entry's signature can never be
#: passed off as a checkpoint's, or the other way round.
ENTRY = b"escalate audit entry v1\n"
CHECKPOINT = b"escalate audit checkpoint v1\n"
ACCESS = b"escalate access entry v1\n"
SEAL = b"escalate chain seal v1\n"
INSTALLATION = b"escalate installation v1\n"
DELIVERY = b"escalate delivery record v1\n"
_MAX_KEY_FILE = 4_096


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PREFIX + base64.b64encode(raw).decode()


def parse_public(text: str, where: str) -> Ed25519PublicKey:
    """``ed25519:BASE64`` (as ``escalate init`` writes it) → a key, or a ConfigError naming ``where``."""
    if not text.startswith(PREFIX):
        raise ConfigError(
            f"{where}: the public key must start with {PREFIX!r}, as 'escalate init' writes it."
        )
    try:
        raw = base64.b64decode(text[len(PREFIX) :], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ConfigError(
            f"{where}: {text[:20]}… is not an Ed25519 public key (32 bytes in base64 after {PREFIX!r})."
        ) from None


def _private_from_pem(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{where} does not hold an unencrypted PEM private key.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{where} holds a private key that is not Ed25519.")
    return key


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_key_pair(folder: Path, name: str = "audit-signing.pem") -> tuple[Path, str]:
    """Make a new key pair: the private key in ``folder/name`` (the folder and file readable by
    their owner only), the public key returned as text for config.yaml. A key already there is
    kept."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / name
    if path.exists():  # a folder set up before: keep the key its trail was signed with
        existing = _private_from_pem(_read_key_file(path), str(path))
        return path, public_text(existing.public_key())
    key = Ed25519PrivateKey.generate()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem(key))
    return path, public_text(key.public_key())


def _read_key_file(path: Path) -> bytes:
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(
            f"The audit signing key file {path} cannot be read ({exc.strerror}); give its path in"
            f" audit.signing_key_file or {KEY_FILE_ENV}, or the key itself in {KEY_ENV}."
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"The audit signing key file {path} can be read by others (mode"
            f" {stat.S_IMODE(info.st_mode):o}); make it readable by the engine's account only:"
            f" chmod 600 {path}."
        )
    if info.st_size > _MAX_KEY_FILE:
        raise ConfigError(f"{path} is {info.st_size:,} bytes: too large to be a signing key.")
    return path.read_bytes()


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs entry hashes and checkpoints with the service's private key."""

    key: Ed25519PrivateKey

    def sign(self, purpose: bytes, message: bytes) -> str:
        return base64.b64encode(self.key.sign(purpose + message)).decode()


@dataclass(frozen=True, slots=True)
class Verifier:
    """Checks signatures with the public key from config.yaml."""

    key: Ed25519PublicKey

    def valid(self, purpose: bytes, message: bytes, signature: str) -> bool:
        try:
            self.key.verify(base64.b64decode(signature, validate=True), purpose + message)
        except (InvalidSignature, ValueError):
            return False
        return True


def load_signer(key_file: Path | None, public: Ed25519PublicKey) -> Signer:
    """The private key from ``$ESCALATE_AUDIT_KEY`` (PEM text), ``$ESCALATE_AUDIT_KEY_FILE`` or
    ``key_file``, checked against the public key the trail is verified with."""
    if pem := os.environ.get(KEY_ENV):
        key, where = _private_from_pem(pem.encode(), KEY_ENV), KEY_ENV
    else:
        given = os.environ.get(KEY_FILE_ENV)
        path = Path(given) if given else key_file
        if path is None:
            raise ConfigError(
                "This service signs its audit trail, but no signing key is available to this"
                f" process: set audit.signing_key_file in config.yaml, {KEY_FILE_ENV}, or {KEY_ENV}."
            )
        key, where = _private_from_pem(_read_key_file(path), str(path)), str(path)
    if public_text(key.public_key()) != public_text(public):
        raise ConfigError(
            f"The signing key in {where} does not match audit.public_key in config.yaml: entries"
            " signed with it would fail verification. Use the key that pair was made with."
        )
    return Signer(key)
