"""People read titles, names and the commands they type, never the engine's internal keys, and
tables stay readable at 80 columns: the tables and panels the CLI prints, read from the same
operations it runs."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from rich.console import Console

from escalation_engine.app import operations, sentences
from escalation_engine.cli import views
from escalation_engine.service import EscalationService

KEYS = ("drift_and_delay", "team_manager", "assistant_team_manager", "referred_to_cafcass",
        "not_looked_after", "refer_cafcass", "awaiting_response", "iro_service")  # fmt: skip


def _text(renderable: object, width: int = 80) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, legacy_windows=False).print(renderable)
    return buffer.getvalue()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z'\-]*", text))


def _raise(service: EscalationService) -> str:
    return service.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="drift_and_delay", team="north",
        summary="No permanence plan four months after the second review",
    ).reference  # fmt: skip


def test_the_list_at_80_columns_shows_titles_and_names_with_no_word_broken(
    service: EscalationService,
) -> None:
    _raise(service)
    items = operations.run(service, "aisha", "list")
    text = _text(views.escalation_table(items, "1 escalation"))
    words = _words(text)
    assert {
        "Category",
        "Drift",
        "delay",
        "Stage",
        "team",
        "manager",
        "Jo",
        "Bennett",
        "Ellie",
        "Ward",
    } <= words
    assert not any(key in text for key in KEYS)
    assert all(len(line) <= 80 for line in text.splitlines())


def test_show_at_80_columns_names_people_and_offers_the_commands_people_type(
    service: EscalationService,
) -> None:
    reference = _raise(service)
    service.clock.advance(hours=1)  # type: ignore[attr-defined]
    service.act(reference, "jo", "respond", note="Permanence planning meeting booked")
    shown = operations.run(service, "aisha", "show", {"reference": reference})
    text = _text(views.escalation_panel(shown))
    words = _words(text)
    assert {
        "Aisha",
        "Khan",
        "Jo",
        "Bennett",
        "Drift",
        "refer-cafcass",
        "not-looked-after",
        "Responded",
    } <= words
    assert not any(key in text for key in KEYS)
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_closed_escalation_says_its_outcome_in_words(service: EscalationService) -> None:
    reference = _raise(service)
    service.act(reference, "aisha", "refer_cafcass", note="The child's rights are at risk")
    esc = service.get(reference)
    lines = sentences.next_steps(
        esc, service.spec_for(esc), service.allowed_actions(esc), service.words
    )
    assert lines[0].startswith("Closed as referred to Cafcass on ")


def test_the_timeline_names_the_engine_and_what_it_did(service: EscalationService) -> None:
    reference = _raise(service)
    service.tick(service.clock.now() + timedelta(days=10))
    entries = operations.run(service, "aisha", "trail", {"reference": reference})
    text = _text(views.timeline(entries), width=200)
    assert "the engine" in text
    assert "Stage 1: team manager → Stage 2: service manager or head of service" in text
