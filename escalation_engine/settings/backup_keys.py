"""The key a council encrypts its backups to, and the encrypted stream a backup is written as.

A backup holds every child's records, so it leaves the service only encrypted, to a key kept
apart from the service folder: a copy of the folder (or of the backups) without the key reveals
nothing, and a key file inside the folder is refused.

The stream is AES-256-GCM in fixed-size chunks (the STREAM construction age and Tink use): each
chunk's nonce holds its number and whether it is the last, so a backup cut short, reordered or
spliced fails to open instead of restoring part of a database. It never holds a whole database
in memory.
"""

from __future__ import annotations

import base64
import os
import secrets
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from escalation_engine.errors import ConfigError, InvalidInput

#: What a key file starts with, so another file given by mistake is named as such.
_KEY_PREFIX = "escalate-backup-key-1:"
#: What an encrypted backup starts with.
MAGIC = b"ESCALATE-BACKUP-1\n"
_CHUNK = 1 << 20
_PREFIX = 7
_SEALED = _CHUNK + 16


def _outside(path: Path, folder: Path) -> Path:
    resolved = path.expanduser().resolve()
    if resolved.is_relative_to(folder.resolve()):
        raise ConfigError(
            f"The backup key {path} is inside the service folder {folder}: anyone with a copy of"
            " the folder could open its backups. Keep it elsewhere (another disk, or the"
            " council's key store), e.g. /etc/escalate/backup.key."
        )
    return resolved


def new_key(path: Path, folder: Path) -> Path:
    """Make a new backup key at ``path`` (outside ``folder``), readable by its owner only; an
    existing file is never overwritten (its backups would become unreadable)."""
    target = _outside(path, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(
            f"{path} already exists: a key is never replaced, or the backups made with it could"
            " not be opened. Choose another file."
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(
            _KEY_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n"
        )
    return target


def load_key(path: Path, folder: Path) -> bytes:
    """The key in ``path``, which must be outside ``folder`` and hold a backup key."""
    source = _outside(path, folder)
    try:
        if source.stat().st_size > 200:
            raise InvalidInput(f"{path} is not a backup key (it is too large).")
        text = source.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"The backup key {path} cannot be read: {exc}.") from None
    if not text.startswith(_KEY_PREFIX):
        raise InvalidInput(f"{path} is not a backup key; make one with 'escalate backup-key FILE'.")
    try:
        key = base64.urlsafe_b64decode(text.removeprefix(_KEY_PREFIX))
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InvalidInput(f"{path} is not a whole backup key: it was cut or altered.")
    return key


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def encrypt(source: BinaryIO, target: BinaryIO, key: bytes) -> None:
    """Write ``source`` to ``target`` encrypted to ``key``."""
    cipher, prefix = AESGCM(key), secrets.token_bytes(_PREFIX)
    header = MAGIC + prefix
    target.write(header)
    counter, chunk = 0, source.read(_CHUNK)
    while True:
        following = source.read(_CHUNK)
        last = not following
        target.write(cipher.encrypt(_nonce(prefix, counter, last), chunk, header))
        if last:
            return
        counter, chunk = counter + 1, following


def decrypt(source: BinaryIO, target: BinaryIO, key: bytes, name: str) -> None:
    """Write ``source`` (an encrypted backup called ``name``) to ``target`` opened; refuse one
    made with another key, altered, or cut short, before any of it is used."""
    header = source.read(len(MAGIC) + _PREFIX)
    if not header.startswith(MAGIC) or len(header) != len(MAGIC) + _PREFIX:
        raise InvalidInput(f"{name} is not a backup made by 'escalate backup'.")
    cipher, prefix, counter = AESGCM(key), header[len(MAGIC) :], 0
    sealed = source.read(_SEALED)
    while True:
        following = source.read(_SEALED)
        last = not following
        try:
            target.write(cipher.decrypt(_nonce(prefix, counter, last), sealed, header))
        except InvalidTag:
            raise InvalidInput(
                f"{name} cannot be opened with this key: it was made with another key, or it was"
                " altered or cut short after it was written."
            ) from None
        if last:
            return
        counter, sealed = counter + 1, following
