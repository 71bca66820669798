"""The backup key and the encrypted stream: what goes in comes out, whatever its length; a copy
cut short, reordered, altered or opened with another key is refused; a key inside the service
folder is refused, and a key is never overwritten."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation_engine.errors import ConfigError, InvalidInput
from escalation_engine.settings import backup_keys
from escalation_engine.settings.backup_keys import MAGIC

KEY = bytes(range(32))
CHUNK = 1 << 20
HEADER = len(MAGIC) + 7


def _sealed(plain: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    backup_keys.encrypt(io.BytesIO(plain), out, key)
    return out.getvalue()


def _opened(sealed: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    backup_keys.decrypt(io.BytesIO(sealed), out, key, "copy.backup")
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_what_goes_in_comes_out_at_every_chunk_boundary(size: int) -> None:
    plain = os.urandom(size)
    assert _opened(_sealed(plain)) == plain


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=4096))
def test_any_short_copy_comes_back_as_it_was(plain: bytes) -> None:
    assert _opened(_sealed(plain)) == plain


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    body = sealed[HEADER:]
    size = CHUNK + 16
    return sealed[:HEADER], [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize(
    "damage",
    [
        lambda h, c: h + b"".join(c[:-1]),  # the last chunk cut off
        lambda h, c: h + b"".join([c[1], c[0], c[2]]),  # two chunks swapped
        lambda h, c: h + b"".join(c)[:-1],  # the last byte cut off
        lambda h, c: h[:-1] + bytes([h[-1] ^ 1]) + b"".join(c),  # the header altered
        lambda h, c: h + bytes([c[0][0] ^ 1]) + b"".join(c)[1:],  # a byte altered
    ],
)  # fmt: skip
def test_a_copy_cut_short_reordered_or_altered_is_refused(damage: object) -> None:
    header, chunks = _chunks(_sealed(os.urandom(2 * CHUNK + 10)))
    assert len(chunks) == 3
    with pytest.raises(InvalidInput, match="altered or cut short"):
        _opened(damage(header, chunks))  # type: ignore[operator]


def test_another_key_cannot_open_it_and_other_files_are_named() -> None:
    with pytest.raises(InvalidInput, match="made with another key"):
        _opened(_sealed(b"records"), bytes(32))
    with pytest.raises(InvalidInput, match="not a backup made by 'escalate backup'"):
        _opened(b"SQLite format 3\x00")


def test_a_key_lives_outside_the_service_folder_and_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "service"
    folder.mkdir()
    with pytest.raises(ConfigError, match="inside the service folder"):
        backup_keys.new_key(folder / "keys" / "backup.key", folder)
    made = backup_keys.new_key(tmp_path / "elsewhere" / "backup.key", folder)
    assert made.stat().st_mode & 0o777 == 0o600
    key = backup_keys.load_key(made, folder)
    assert len(key) == 32
    with pytest.raises(InvalidInput, match="already exists"):
        backup_keys.new_key(made, folder)
    assert backup_keys.load_key(made, folder) == key
    (tmp_path / "notes.txt").write_text("not a key")
    with pytest.raises(InvalidInput, match="is not a backup key"):
        backup_keys.load_key(tmp_path / "notes.txt", folder)
