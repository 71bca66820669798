"""Local accounts: Argon2id passwords, sign-ins that say nothing about who exists, the lockout,
and the record of every attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from escalation_engine.clock import FakeClock
from escalation_engine.errors import InvalidInput, PermissionDenied, SignInRefused
from escalation_engine.service import EscalationService

GOOD = "violet kettle harbour lamp"
GENERIC = "the username or password was not accepted"


@pytest.fixture
def with_jo(service: EscalationService) -> EscalationService:
    service.accounts.add_account("priya", "jo", GOOD)
    return service


def _record(service: EscalationService) -> list[tuple[str, bool, str]]:
    return [(r.username, r.ok, r.detail) for r in service.accounts.sign_ins("amir")]


def test_the_right_password_signs_in_and_is_recorded(with_jo: EscalationService) -> None:
    assert with_jo.accounts.sign_in("jo", GOOD, source="cli").username == "jo"
    assert _record(with_jo) == [("jo", True, "signed in")]


@pytest.mark.parametrize(
    ("username", "password", "detail"),
    [
        ("jo", "not the password at all", "wrong password (1 in a row)"),
        ("nobody", GOOD, "no such account"),
        ("mark", GOOD, "no such account"),  # listed under people, but no account
    ],
)
def test_a_failed_sign_in_says_only_that_it_failed(
    with_jo: EscalationService, username: str, password: str, detail: str
) -> None:
    with pytest.raises(SignInRefused, match=GENERIC):
        with_jo.accounts.sign_in(username, password, source="cli")
    assert _record(with_jo) == [(username, False, detail)]


def test_a_disabled_account_cannot_sign_in(with_jo: EscalationService) -> None:
    with_jo.accounts.set_disabled("priya", "jo", True)
    with pytest.raises(SignInRefused, match=GENERIC):
        with_jo.accounts.sign_in("jo", GOOD, source="cli")
    with_jo.accounts.set_disabled("priya", "jo", False)
    assert with_jo.accounts.sign_in("jo", GOOD, source="cli").username == "jo"


def test_five_failures_lock_the_account_for_fifteen_minutes(
    with_jo: EscalationService, clock: FakeClock
) -> None:
    for _ in range(4):
        with pytest.raises(SignInRefused, match=GENERIC):
            with_jo.accounts.sign_in("jo", "wrong wrong wrong", source="cli")
    with pytest.raises(SignInRefused, match="locked until"):
        with_jo.accounts.sign_in("jo", "wrong wrong wrong", source="cli")
    with pytest.raises(SignInRefused, match="locked until"):
        with_jo.accounts.sign_in("jo", GOOD, source="cli")  # even the right password, while locked
    clock.advance(minutes=15)
    assert with_jo.accounts.sign_in("jo", GOOD, source="cli").username == "jo"
    assert [ok for _, ok, _ in _record(with_jo)] == [False] * 6 + [True]


@pytest.mark.parametrize("username", ["jo", "nobody", "sam"])  # an account; none; listed, none
def test_a_username_without_an_account_is_locked_out_just_as_one_with_an_account(
    with_jo: EscalationService, clock: FakeClock, username: str
) -> None:
    said = []
    for _ in range(6):
        with pytest.raises(SignInRefused) as refused:
            with_jo.accounts.sign_in(username, "wrong wrong wrong", source="cli")
        said.append(str(refused.value))
        clock.advance(minutes=1)
    # The same words at the same tries, whether or not the username has an account.
    assert [GENERIC in text for text in said] == [True] * 4 + [False] * 2
    assert said[4] == said[5]
    assert "locked until" in said[4]
    clock.advance(minutes=15)
    with pytest.raises(SignInRefused, match=GENERIC):  # the lock ends as an account's would
        with_jo.accounts.sign_in(username, "wrong wrong wrong", source="cli")


def test_a_new_password_lifts_a_lockout(with_jo: EscalationService) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused):
            with_jo.accounts.sign_in("jo", "wrong wrong wrong", source="cli")
    with_jo.accounts.set_password("priya", "jo", "amber window saddle river")
    assert (
        with_jo.accounts.sign_in("jo", "amber window saddle river", source="cli").username == "jo"
    )


def test_only_administrators_manage_other_peoples_accounts(with_jo: EscalationService) -> None:
    with pytest.raises(PermissionDenied, match="administrator or IRO manager"):
        with_jo.accounts.add_account("jo", "mark", GOOD)
    with pytest.raises(PermissionDenied):
        with_jo.accounts.set_disabled("jo", "priya", True)
    with_jo.accounts.set_password("jo", "jo", "amber window saddle river")  # one's own, yes


@pytest.mark.parametrize("password", ["short", "jo-and-some-more-words", "aaaaaaaaaaaaaaaa"])
def test_weak_passwords_are_refused(service: EscalationService, password: str) -> None:
    with pytest.raises(InvalidInput):
        service.accounts.add_account("priya", "jo", password)


def test_the_password_is_stored_only_as_an_argon2id_hash(
    with_jo: EscalationService, engine: Engine
) -> None:
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM account")).scalar_one()
        assert stored.startswith("$argon2id$")
        dumped = " ".join(str(row) for row in connection.execute(text("SELECT * FROM account")))
    assert GOOD not in dumped


def test_the_sign_in_record_is_for_auditors_and_cannot_be_changed(
    with_jo: EscalationService, engine: Engine
) -> None:
    with_jo.accounts.sign_in("jo", GOOD, source="cli")
    with pytest.raises(PermissionDenied, match="auditor role"):
        list(with_jo.accounts.sign_ins("priya"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE sign_in SET ok = false"))


def test_timing_of_a_miss_uses_a_decoy_hash(with_jo: EscalationService) -> None:
    from escalation_engine.domain import passwords as module

    module.prepare()  # as a server does when it starts, so the first miss is not slower
    assert module._decoy.cache_info().currsize == 1
    assert module.matches(None, GOOD) is False  # checked against the decoy, never a match
    assert module._decoy.cache_info().misses == 1
    assert module.matches(module.hash_password(GOOD), GOOD) is True
    assert timedelta(minutes=15) == module.LOCKOUT
