"""Who hears of an entry, and what the message says: the people it is with, those copied, the
watchers, the raiser's manager and the raiser, never the person who acted; the concern's text
only where the council says so."""

from __future__ import annotations

import dataclasses

from escalation_engine.domain.events import Told
from escalation_engine.service.outbox import message, recipients
from escalation_engine.trail.audit import Entry
from tests.support import shipped
from tests.support.shipped import MONDAY

DRP = shipped.workflow("dispute_resolution")
SETTINGS = shipped.settings()


def _entry(action: str, actor: str) -> Entry:
    return Entry(
        seq=2, schema_version=2, reference="ESC-2026-0001", at=MONDAY, actor=actor,
        actor_kind="person" if actor != "engine" else "engine", action=action,
        from_stage="team_manager", to_stage="team_manager", note="Meeting booked", data="{}",
        prev_hash="0" * 64, hash="1" * 64,
    )  # fmt: skip


def test_everyone_involved_hears_of_an_entry_but_the_person_who_made_it() -> None:
    esc, keeper = shipped.entered(DRP)
    told = keeper.told(DRP.stage("team_manager"), esc)
    heard = recipients(SETTINGS, esc, _entry("respond", "jo"), told)
    # ellie (with it), sam (copied), priya (watching, and the raiser's manager), aisha (raiser)
    assert heard == ["ellie", "sam", "priya", "aisha"]


def test_a_reminder_goes_to_whoever_it_is_with_and_only_them() -> None:
    esc, keeper = shipped.entered(DRP)
    told = keeper.told(DRP.stage("team_manager"), esc)
    assert recipients(SETTINGS, esc, _entry("reminder", "engine"), told) == ["ellie", "jo"]
    esc.with_people = ()
    assert recipients(SETTINGS, esc, _entry("reminder", "engine"), Told()) == ["aisha"]


def test_someone_no_longer_listed_is_not_told() -> None:
    esc, _ = shipped.entered(DRP)
    told = Told(copy=("left_last_year",))
    assert "left_last_year" not in recipients(SETTINGS, esc, _entry("respond", "jo"), told)


def test_a_message_names_the_case_stage_people_and_deadline_but_not_the_concern() -> None:
    esc, _ = shipped.entered(DRP)
    subject, body = message(SETTINGS, DRP, esc, _entry("respond", "jo"))
    assert subject == "ESC-2026-0001 (CLA-100234): response received"
    assert "Stage: Stage 1: team manager" in body
    assert "Now with: Ellie Ward, Jo Bennett" in body
    assert "Deadline: Mon 12 Jan 2026 17:00" in body
    assert "See: escalate show ESC-2026-0001" in body
    assert esc.summary not in body
    assert "Meeting booked" not in body


def test_the_concern_and_note_are_included_only_where_the_council_says_so() -> None:
    esc, _ = shipped.entered(DRP)
    notify = dataclasses.replace(SETTINGS.notifications, include_summary=True)
    settings = dataclasses.replace(SETTINGS, notifications=notify)
    _, body = message(settings, DRP, esc, _entry("respond", "jo"))
    assert f"Concern: {esc.summary}" in body
    assert "Note: Meeting booked" in body
