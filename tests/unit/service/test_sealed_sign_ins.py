"""A sign-in in progress is sealed under its handle: only that handle, for that kind of sign-in,
opens it, and what is stored shows nothing of what it holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.errors import SignInRefused
from escalation_engine.service.pendings import Pending, seal, unseal

HANDLE = "kJ2m0rV4wqgJ0d2rjC6hKQxw7i3b9vQm"


@given(secret=st.text(max_size=200), nonce=st.text(max_size=60))
def test_the_handle_opens_what_was_sealed(secret: str, nonce: str) -> None:
    assert unseal(HANDLE, "browser", seal(HANDLE, "browser", Pending(secret, nonce))) == Pending(
        secret, nonce
    )


@pytest.mark.parametrize(("handle", "kind"), [(HANDLE[:-1] + "A", "browser"), (HANDLE, "device")])
def test_another_handle_or_kind_opens_nothing(handle: str, kind: str) -> None:
    sealed = seal(HANDLE, "browser", Pending("verifier", "nonce"))
    with pytest.raises(SignInRefused, match="start again"):
        unseal(handle, kind, sealed)


def test_the_same_secrets_seal_differently_each_time_and_show_nothing() -> None:
    first, second = (seal(HANDLE, "device", Pending("the device code", "")) for _ in range(2))
    assert first != second
    assert "device code" not in first
