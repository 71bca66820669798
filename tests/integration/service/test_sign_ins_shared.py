"""What lets any number of server processes behave as one at sign-in: sign-ins with the
identity provider in progress are held in the database (sealed, found by the handle's hash), and
failed password sign-ins are counted per address from the record every process writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from escalation_engine import store
from escalation_engine.clock import FakeClock
from escalation_engine.domain import passwords
from escalation_engine.errors import SignInRefused, TooManyAttempts, http_status
from escalation_engine.service import EscalationService
from escalation_engine.service.pendings import PENDING_SECONDS
from escalation_engine.settings.config import Settings
from escalation_engine.store import make_engine

GOOD = "violet kettle harbour lamp"


@pytest.fixture
def other(settings: Settings, clock: FakeClock) -> Iterator[EscalationService]:
    """A second service over the same database, with its own connections: another process."""
    engine = make_engine(settings.database_url)
    yield EscalationService(settings, engine, clock)
    engine.dispose()


def test_a_sign_in_begun_in_one_process_is_finished_in_another_once(
    service: EscalationService, other: EscalationService
) -> None:
    handle = service.browser_sign_ins.add("the verifier", "the nonce")
    found = other.browser_sign_ins.take(handle)
    assert (found.secret, found.nonce) == ("the verifier", "the nonce")
    with pytest.raises(SignInRefused, match="expired or was already used"):
        service.browser_sign_ins.take(handle)


def test_a_device_sign_in_stays_while_it_waits_and_goes_when_taken(
    service: EscalationService, other: EscalationService
) -> None:
    handle = service.device_sign_ins.add("device code")
    assert other.device_sign_ins.take(handle, keep=True).secret == "device code"
    assert service.device_sign_ins.take(handle, keep=True).secret == "device code"
    assert other.device_sign_ins.take(handle).secret == "device code"
    with pytest.raises(SignInRefused):
        service.device_sign_ins.take(handle, keep=True)


def test_a_handle_of_one_kind_does_not_finish_the_other(service: EscalationService) -> None:
    handle = service.device_sign_ins.add("device code")
    with pytest.raises(SignInRefused):
        service.browser_sign_ins.take(handle)
    assert service.device_sign_ins.take(handle).secret == "device code"


def test_a_sign_in_expires(service: EscalationService, clock: FakeClock) -> None:
    handle = service.browser_sign_ins.add("verifier", "nonce")
    clock.advance(seconds=PENDING_SECONDS + 1)
    with pytest.raises(SignInRefused, match="expired"):
        service.browser_sign_ins.take(handle)


@pytest.mark.parametrize("handle", ["", "x" * 201, "a guessed handle"])
def test_an_unknown_or_oversized_handle_is_refused(service: EscalationService, handle: str) -> None:
    service.browser_sign_ins.add("verifier", "nonce")
    with pytest.raises(SignInRefused, match="start again"):
        service.browser_sign_ins.take(handle)


def test_the_database_holds_neither_the_handle_nor_the_secrets(
    service: EscalationService, engine: Engine
) -> None:
    handle = service.browser_sign_ins.add("verifier-kept-secret", "nonce-kept-secret")
    with engine.connect() as session:
        rows = [
            " ".join(map(str, row))
            for row in session.execute(text("SELECT * FROM sign_in_pending"))
        ]
    assert len(rows) == 1
    assert all(
        word not in rows[0] for word in (handle, "verifier-kept-secret", "nonce-kept-secret")
    )


def test_expired_sign_ins_are_cleared_as_new_ones_begin(
    service: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    for _ in range(3):
        service.browser_sign_ins.add("verifier", "nonce")
    clock.advance(seconds=PENDING_SECONDS + 1)
    service.browser_sign_ins.add("verifier", "nonce")
    with engine.connect() as session:
        assert store.pendings.held(session) == 1


def _failures(engine: Engine, source: str, count: int, at: datetime) -> None:
    with store.unit_of_work(engine) as session:
        for n in range(count):
            store.accounts.record_sign_in(
                session, at=at, username=f"guess{n}", ok=False, method="password",
                detail="no such account", source=source,
            )  # fmt: skip


def test_an_address_with_too_many_failures_is_held_whichever_process_it_reaches(
    service: EscalationService, other: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    service.accounts.add_account("priya", "jo", GOOD)
    _failures(engine, "203.0.113.9", passwords.ADDRESS_LIMIT - 1, clock.now())
    with pytest.raises(SignInRefused) as last:
        other.accounts.sign_in("mark", "a guess at mark's", source="203.0.113.9")
    assert not isinstance(last.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts, match="from this address") as held:
        service.accounts.sign_in("jo", GOOD, source="203.0.113.9")  # even the right password
    assert http_status(held.value) == 429
    assert other.accounts.sign_in("jo", GOOD, source="198.51.100.4").username == "jo"
    clock.advance(seconds=passwords.ADDRESS_WINDOW.total_seconds() + 1)
    assert service.accounts.sign_in("jo", GOOD, source="203.0.113.9").username == "jo"
    record = [
        (r.ok, r.detail) for r in service.accounts.sign_ins("amir") if r.source == "203.0.113.9"
    ]
    assert record[-2:] == [(False, "too many failures from this address"), (True, "signed in")]
