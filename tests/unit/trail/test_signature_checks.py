"""Signatures checked in chunks on other threads: whatever the chunk size and however many
threads, the first bad signature named is the first in the trail, and none is missed."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation_engine.settings.keys import Verifier
from escalation_engine.trail import signature_checks
from escalation_engine.trail.signature_checks import SignatureChecks

PURPOSE = b"entry:"
KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()


def _signed(seq: int, forged: bool) -> tuple[int, bytes, str, str]:
    message = f"hash of entry {seq}".encode()
    key = OTHER if forged else KEY
    return seq, message, base64.b64encode(key.sign(PURPOSE + message)).decode(), f"entry {seq}"


def _first_bad(entries: int, forged: set[int], threads: int) -> int | None:
    checks = SignatureChecks(Verifier(KEY.public_key()), PURPOSE, threads=threads)
    try:
        for seq in range(1, entries + 1):
            checks.add(*_signed(seq, seq in forged))
            if checks.bad is not None:  # as verify does: stop reading at the first found
                break
        found = checks.finish()
    finally:
        checks.close()
    return None if found is None else found.seq


@settings(max_examples=40, deadline=None)
@given(
    entries=st.integers(1, 60),
    forged=st.sets(st.integers(1, 60), max_size=4),
    chunk=st.integers(1, 9),
    threads=st.integers(1, 3),
)
def test_the_first_forged_signature_is_named_whatever_the_chunks(
    entries: int, forged: set[int], chunk: int, threads: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signature_checks, "CHUNK", chunk)
        found = _first_bad(entries, forged, threads)
    within = {seq for seq in forged if seq <= entries}
    assert found == (min(within) if within else None)


def test_a_signature_that_is_not_base64_is_bad_not_an_error() -> None:
    checks = SignatureChecks(Verifier(KEY.public_key()), PURPOSE, threads=1)
    checks.add(1, b"message", "not base64!", "entry 1")
    found = checks.finish()
    checks.close()
    assert found == signature_checks.Bad(1, "entry 1")


def test_a_long_trail_is_checked_on_other_threads_with_few_chunks_in_flight() -> None:
    checks = SignatureChecks(Verifier(KEY.public_key()), PURPOSE, threads=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signature_checks, "CHUNK", 8)
        most = 0
        for seq in range(1, 400):
            checks.add(*_signed(seq, False))
            most = max(most, len(checks._pending))
        assert checks.finish() is None
    checks.close()
    assert checks._pool is None  # closed: no thread is left behind
    assert 0 < most <= 2 * signature_checks.AHEAD
