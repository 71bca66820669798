"""Someone with write access to the database, but not the signing key, keeps a notice from
being sent, or makes it look sent: each is named by ``audit verify``.

The entry that causes notices records, signed, who each is for and a digest of the message;
every delivery attempt is a chained, signed record. So deleting an owed notice, redirecting or
rewriting it, marking it sent or given up by hand, adding one nobody owed, or cutting the
delivery records, leaves something the key would have had to sign.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from escalation_engine.clock import FakeClock
from escalation_engine.runtime.delivery import deliver_due
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import EmailSettings, Settings
from tests.support.scenarios import practice_alert, signed
from tests.support.tampering import guards_off
from tests.support.worker import free_port, start_smtp


@dataclass
class Scene:
    """A signed service that tells people by email (through a real SMTP server on loopback):
    some notices sent, the latest still pending."""

    service: EscalationService
    engine: Engine
    sent: int  # an outbox row delivered
    pending: int  # an outbox row still to go

    def row(self, notification_id: int) -> dict[str, object]:
        with self.engine.connect() as connection:
            found = connection.execute(
                text("SELECT * FROM notification WHERE id = :id"), {"id": notification_id}
            ).one()
            return dict(found._mapping)


@pytest.fixture
def scene(settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path) -> Iterator[Scene]:
    port = free_port()
    controller, inbox = start_smtp(port)
    email = EmailSettings(host="127.0.0.1", port=port, starttls=False, sender="iro@example.org")
    told = dataclasses.replace(settings.notifications, email=email)
    telling = dataclasses.replace(signed(settings, tmp_path / "keys"), notifications=told)
    service = EscalationService(telling, engine, clock)
    try:
        a = practice_alert(service).reference
        service.act(a, "jo", "respond", note="Meeting booked.")
        report = deliver_due(engine, telling, clock.now(), signer=service.ctx.signer)
        assert report.sent >= 2
        assert not report.failed
        assert len(inbox.messages) == report.sent
        service.act(a, "aisha", "reject", note="No date for the panel.")
        with engine.connect() as connection:
            sent = connection.execute(
                text("SELECT min(id) FROM notification WHERE status = 'sent'")
            ).scalar_one()
            pending = connection.execute(
                text("SELECT max(id) FROM notification WHERE status = 'pending'")
            ).scalar_one()
        assert service.verify_all().ok, service.verify_all().problem
        yield Scene(service, engine, sent, pending)
    finally:
        controller.stop()


def tamper(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as connection:
        guards_off(connection)
        connection.execute(text(statement), params)


Case = Callable[[Scene], str]
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    CASES[function.__name__] = function
    return function


@case
def delete_a_pending_notice(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM notification WHERE id = :id", id=s.pending)
    return "is not in the outbox: it was deleted"


@case
def delete_a_notice_already_sent(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM notification WHERE id = :id", id=s.sent)
    return "is not in the outbox: it was deleted"


@case
def mark_a_pending_notice_sent(s: Scene) -> str:
    tamper(s.engine, "UPDATE notification SET status = 'sent', attempts = 1 WHERE id = :id",
           id=s.pending)  # fmt: skip
    return "is marked sent, but no delivery record says so"


@case
def mark_a_pending_notice_given_up(s: Scene) -> str:
    tamper(s.engine, "UPDATE notification SET status = 'failed' WHERE id = :id", id=s.pending)
    return "is marked given up, but no delivery record says so"


@case
def send_a_pending_notice_to_another_address(s: Scene) -> str:
    tamper(s.engine, "UPDATE notification SET address = 'someone@elsewhere.example' WHERE id = :id",
           id=s.pending)  # fmt: skip
    return "was altered in the outbox"


@case
def rewrite_a_pending_notices_message(s: Scene) -> str:
    tamper(s.engine, "UPDATE notification SET body = 'Nothing to do.' WHERE id = :id",
           id=s.pending)  # fmt: skip
    return "was altered in the outbox"


@case
def redirect_a_pending_notice_to_another_person(s: Scene) -> str:
    tamper(s.engine, "UPDATE notification SET recipient = 'mark', address = 'mark.ellis@example.org'"
           " WHERE id = :id", id=s.pending)  # fmt: skip
    return "is not in the outbox: it was deleted"


@case
def add_a_notice_no_entry_owed(s: Scene) -> str:
    row = s.row(s.pending)
    row.pop("id")
    row |= {"recipient": "mark", "address": "mark.ellis@example.org"}
    columns = ", ".join(row)
    tamper(s.engine, f"INSERT INTO notification ({columns}) VALUES"
           f" ({', '.join(':' + name for name in row)})", **row)  # fmt: skip
    return "which that entry never owed: it was added"


@case
def hold_a_pending_notice_back_a_year(s: Scene) -> str:
    later = s.service.clock.now() + timedelta(days=365)
    tamper(s.engine, "UPDATE notification SET next_attempt_at = :later WHERE id = :id",
           later=later, id=s.pending)  # fmt: skip
    return "is held back: due"


@case
def delete_a_delivery_record(s: Scene) -> str:
    tamper(s.engine, "DELETE FROM delivery_record WHERE seq = 1")
    return "delivery record 1 is missing"


@case
def delete_the_last_delivery_record_and_its_notices_state(s: Scene) -> str:
    with s.engine.connect() as connection:
        last = connection.execute(
            text("SELECT seq, notification_id FROM delivery_record ORDER BY seq DESC LIMIT 1")
        ).one()
    tamper(s.engine, "DELETE FROM delivery_record WHERE seq = :seq", seq=last.seq)
    tamper(s.engine, "UPDATE notification SET status = 'pending', attempts = 0 WHERE id = :id",
           id=last.notification_id)  # fmt: skip
    return "deleted from its end"


@case
def mark_a_sent_notice_given_up_in_its_delivery_record(s: Scene) -> str:
    tamper(s.engine, "UPDATE delivery_record SET outcome = 'given_up' WHERE notification_id = :id",
           id=s.sent)  # fmt: skip
    return "was altered after it was written"


@case
def forget_the_notices_an_entry_owed(s: Scene) -> str:
    with s.engine.connect() as connection:
        seq, data = connection.execute(
            text("SELECT audit_seq, (SELECT data FROM audit_entry WHERE seq = audit_seq)"
                 " FROM notification WHERE id = :id"), {"id": s.pending},
        ).one()  # fmt: skip
    owed = json.loads(data)
    owed["notices"] = []
    tamper(s.engine, "UPDATE audit_entry SET data = :data WHERE seq = :seq",
           data=json.dumps(owed, sort_keys=True, separators=(",", ":")), seq=seq)  # fmt: skip
    return f"entry {seq}"


def test_every_notice_owed_is_found_and_a_sent_one_has_its_delivery_record(scene: Scene) -> None:
    report = scene.service.verify_all()
    assert report.notices is not None
    assert report.notices.ok
    assert report.notices.records >= 2
    assert scene.row(scene.sent)["status"] == "sent"


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_names_the_notice_tampered_with(scene: Scene, name: str) -> None:
    expected = CASES[name](scene)
    report = scene.service.verify_all()
    assert not report.ok, f"{name} went unnoticed"
    assert expected in str(report.problem), report.problem
