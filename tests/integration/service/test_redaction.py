"""Redaction and correction of personal text in the trail, on SQLite and PostgreSQL: the chain,
the signatures, the seals, the checkpoints, the replay and every report figure stay as they were;
the redaction is named; tampering with it is named; a refusal writes nothing; the text leaves a
SQLite database's files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from escalation_engine import store
from escalation_engine.clock import FakeClock
from escalation_engine.domain.committed import REDACTED
from escalation_engine.domain.periods import financial_year
from escalation_engine.errors import InvalidInput, NotFound, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store.tables import AuditRow, EntryTextRow
from tests.support.older import append_v2
from tests.support.scenarios import signed
from tests.support.shipped import ROOT
from tests.support.tampering import guards_off

EXAMPLE = ROOT / "examples" / "workflows" / "council_protocol.yaml"
SUMMARY = "Zebedee Quokka has no permanence plan"
YEAR = financial_year("2025-26")


@pytest.fixture
def council(project: Path, engine: Engine, clock: FakeClock) -> EscalationService:
    """The council's protocol, its trail signed (so seals and checkpoints are checked too)."""
    shutil.copy(EXAMPLE, project / "workflows")
    settings = signed(load_settings(project / "config.yaml"), project / "keys")
    return EscalationService(settings, engine, clock)


@pytest.fixture
def reference(council: EscalationService, clock: FakeClock) -> str:
    """An alert with an entry of each kind that holds text: raised, responded to, a meeting
    held (its outcome and next step), rejected, and moved up by the engine when its time ran
    out."""
    found = council.raise_alert(
        username="aisha", workflow="council_protocol", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="drift_and_delay", team="north", summary=SUMMARY,
    ).reference  # fmt: skip
    council.act(found, "jo", "respond", note="Spoke to Zebedee's foster carer.")
    council.act(
        found, "priya", "meeting", held_on=clock.now().date(),
        attendees=("raiser", "team_manager"), outcome="Zebedee to stay put",
        next_step="Jo to write to Zebedee's mother",
    )  # fmt: skip
    council.act(found, "aisha", "reject", note="Zebedee has waited long enough.")
    clock.advance(days=30)
    council.tick()
    return found


def _texts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(EntryTextRow)).scalar_one())


def _entries(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(AuditRow)).scalar_one())


def _figures(service: EscalationService) -> list[Any]:
    report = service.report("priya", YEAR)
    return [(t.key, [(f.key, f.value) for f in t.figures()]) for t in report.tables]


def _seq(service: EscalationService, reference: str, action: str) -> int:
    return next(row.seq for row in service.trail(reference) if row.action == action)


def test_redacting_each_field_of_each_kind_of_entry_keeps_the_trail_whole(
    council: EscalationService, reference: str, tmp_path: Path
) -> None:
    council.anchoring.checkpoint(tmp_path / "checkpoints")
    figures = _figures(council)
    targets = [
        (_seq(council, reference, "raise"), "note"),
        (_seq(council, reference, "respond"), "note"),
        (_seq(council, reference, "meeting"), "outcome"),
        (_seq(council, reference, "meeting"), "next_step"),
        (_seq(council, reference, "reject"), "note"),
        (_seq(council, reference, "timeout"), "note"),
    ]
    for seq, field in targets:
        council.redacting.redact("dana", reference, seq, field, "Names a family member")
    report = council.verify_all(folder=tmp_path / "checkpoints")
    assert report.ok, report.problem
    assert len(report.chain.redacted) == len(targets)
    assert report.chain.redacted[0].startswith(
        f"redacted (entry {targets[0][0]}, field note, by dana, "
    )
    assert "why: Names a family member" in report.chain.redacted[0]
    assert _figures(council) == figures
    trail = {row.seq: row for row in council.trail(reference)}
    for seq, field in targets:
        said = trail[seq].note if field == "note" else json.loads(trail[seq].data)[field]
        assert said == REDACTED
    assert council.get(reference).summary == REDACTED
    assert [row.action for row in council.trail(reference)][-len(targets) :] == ["redact"] * 6


def test_a_correction_is_linked_to_what_it_corrects_and_the_summary_follows_it(
    council: EscalationService, reference: str
) -> None:
    raised = _seq(council, reference, "raise")
    council.redacting.correct(
        "dana", reference, raised, "note", "Z. Q. has no permanence plan", "Name misspelt"
    )
    assert council.get(reference).summary == "Z. Q. has no permanence plan"
    assert council.verify_all().ok
    correction = council.trail(reference)[-1]
    assert (correction.action, correction.note) == ("correct", "Z. Q. has no permanence plan")
    assert json.loads(correction.data).items() >= {"entry": raised, "field": "note"}.items()
    assert council.trail(reference)[0].note == SUMMARY  # the entry corrected is kept
    # Redacting the original leaves the corrected summary; redacting the correction clears it.
    council.redacting.redact("dana", reference, raised, "note", "Spelt a name")
    assert council.get(reference).summary == "Z. Q. has no permanence plan"
    council.redacting.redact("dana", reference, correction.seq, "note", "Initials")
    assert council.get(reference).summary == REDACTED
    assert council.verify_all().ok


@pytest.mark.parametrize(
    ("who", "entry", "field", "why", "error", "said"),
    [
        ("jo", 1, "note", "x", PermissionDenied, "may not redact text"),
        ("dana", 99, "note", "x", NotFound, "Entry 99 is not in"),
        ("dana", 1, "summary", "x", InvalidInput, "'summary' is not a field"),
        ("dana", 1, "outcome", "x", InvalidInput, "holds no outcome text"),
        ("dana", 1, "note", " ", InvalidInput, "Say why"),
    ],
)
def test_a_redaction_refused_writes_nothing(
    council: EscalationService, engine: Engine, reference: str,
    who: str, entry: int, field: str, why: str, error: type[Exception], said: str,
) -> None:  # fmt: skip
    before = (_entries(engine), _texts(engine), council.get(reference).version)
    with pytest.raises(error, match=said):
        council.redacting.redact(who, reference, entry, field, why)
    assert (_entries(engine), _texts(engine), council.get(reference).version) == before


def test_text_already_redacted_or_in_another_escalation_is_refused(
    council: EscalationService, reference: str
) -> None:
    other = council.raise_alert(
        username="aisha", workflow="council_protocol", alert_type="practice_alert",
        case_refs=["CLA-100235"], category="drift_and_delay", team="north", summary="Other",
    ).reference  # fmt: skip
    with pytest.raises(NotFound, match=f"not in {other}'s trail"):
        council.redacting.redact("dana", other, 1, "note", "x")
    council.redacting.redact("dana", reference, 1, "note", "x")
    with pytest.raises(InvalidInput, match="already redacted"):
        council.redacting.redact("dana", reference, 1, "note", "x")


def test_an_entry_written_before_text_was_kept_apart_cannot_be_redacted(
    council: EscalationService, engine: Engine, reference: str
) -> None:
    with store.unit_of_work(engine) as session:
        loaded = store.load(session, reference, lock=True)
        old = append_v2(session, reference=reference, at=council.ctx.clock.now(), actor="jo",
                        action="respond", from_stage=loaded.escalation.stage,
                        to_stage=loaded.escalation.stage, note="Inside the entry")  # fmt: skip
        store.save(session, loaded, old.hash)
    with pytest.raises(InvalidInput, match="schema version 2; entries from 1 on"):
        council.redacting.redact("dana", reference, old.seq, "note", "x")


def _tamper(engine: Engine, statement: str, **values: Any) -> None:
    with engine.begin() as connection:
        guards_off(connection)
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS entry_text_no_update") if (
            connection.dialect.name == "sqlite"
        ) else connection.exec_driver_sql("ALTER TABLE entry_text DISABLE TRIGGER USER")
        connection.execute(text(statement), values)


def test_tampering_with_a_redaction_or_the_kept_text_is_named(
    council: EscalationService, engine: Engine, reference: str
) -> None:
    respond = _seq(council, reference, "respond")
    with engine.connect() as connection:
        kept = connection.execute(
            select(EntryTextRow.__table__).where(text(f"seq = {respond}"))  # type: ignore[attr-defined]
        ).one()
    council.redacting.redact("dana", reference, respond, "note", "x")
    put_back = "INSERT INTO entry_text (seq, field, salt, text) VALUES (:seq, 'note', :salt, :t)"
    _tamper(engine, put_back, seq=respond, salt=kept.salt, t=kept.text)
    assert "but its text is back" in str(council.verify().problem)
    _tamper(engine, "DELETE FROM entry_text WHERE seq = :seq", seq=respond)
    assert council.verify().ok
    meeting = _seq(council, reference, "meeting")
    _tamper(engine, "UPDATE entry_text SET text = 'Something else' WHERE seq = :seq AND field = 'outcome'", seq=meeting)  # fmt: skip
    assert (
        str(council.verify().problem)
        == f"the outcome of entry {meeting} ({reference}, meeting) was altered after it was written"
    )


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        (
            "DELETE FROM entry_text WHERE seq = 1",
            "the note of entry 1 ({ref}, raise) is missing, and no redaction records its removal",
        ),
        ("DELETE FROM audit_entry WHERE action = 'redact'", "no redaction records its removal"),
        (
            "UPDATE audit_entry SET note = substr(note, 1, 70) || CASE WHEN substr(note, 71) = '0' THEN '1' ELSE '0' END WHERE seq = 2",
            "entry 2 ({ref}, respond) was altered",
        ),
        (
            "INSERT INTO entry_text (seq, field, salt, text) VALUES (3, 'next', 'aa', 'Hidden')",
            "commits to no such text",
        ),
    ],
)
def test_each_way_round_a_redaction_is_named(
    council: EscalationService, engine: Engine, reference: str, statement: str, said: str
) -> None:
    council.redacting.redact("dana", reference, 2, "note", "x")
    _tamper(engine, statement)
    report = council.verify_all()
    assert not report.ok
    assert said.format(ref=reference) in str(report.problem)


def _files(engine: Engine) -> bytes:
    """The database's files as written: SQLite's file and write-ahead log; PostgreSQL's table
    and its TOAST table after a checkpoint."""
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("CHECKPOINT")
        paths = (
            connection.exec_driver_sql(
                "SELECT current_setting('data_directory') || '/' || pg_relation_filepath(oid)"
                " FROM pg_class WHERE oid IN ('entry_text'::regclass,"
                " (SELECT reltoastrelid FROM pg_class WHERE relname = 'entry_text'))"
            )
            .scalars()
            .all()
        )
    return b"".join(Path(p).read_bytes() for p in paths if Path(p).exists())


def test_the_text_leaves_the_database_files(
    council: EscalationService, engine: Engine, reference: str
) -> None:
    seq = _seq(council, reference, "respond")
    with engine.connect() as connection:
        said = connection.execute(
            text(f"SELECT text FROM entry_text WHERE seq = {seq}")
        ).scalar_one()
    assert said.encode() in _files(engine)
    council.redacting.redact("dana", reference, seq, "note", "x")
    assert said.encode() not in _files(engine)


def test_a_notice_that_carried_the_text_loses_it_and_still_verifies(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    with (project / "config.yaml").open("a") as config:
        config.write(
            "notifications:\n  include_summary: true\n  email: {host: 127.0.0.1, port: 2525}\n"
        )
    service = EscalationService(signed(load_settings(project / "config.yaml"), project / "keys"),
                                engine, clock)  # fmt: skip
    found = service.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="placement", team="north", summary=SUMMARY,
    ).reference  # fmt: skip
    service.act(found, "jo", "respond", note="Zebedee's mother was told; she is a tall woman.")

    def bodies() -> str:
        with engine.connect() as connection:
            return "\n".join(connection.execute(text("SELECT body FROM notification")).scalars())

    assert "Zebedee's mother" in bodies()
    assert SUMMARY in bodies()
    service.redacting.redact("dana", found, 2, "note", "Names a parent")
    assert "Zebedee's mother" not in bodies()
    assert "Note: [redacted]" in bodies()
    assert SUMMARY in bodies()  # the summary was not redacted
    report = service.verify_all()
    assert report.ok, report.problem
    with engine.begin() as connection:  # a message changed with no redaction behind it is named
        connection.execute(text("UPDATE notification SET body = body || 'x' WHERE id = 1"))
    assert "altered in the outbox" in str(service.verify_all().problem)
