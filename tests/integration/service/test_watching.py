"""Watching: people told of an escalation at a stage watch it from then on, anyone who may see it
can start and stop watching it, what someone watches is in their inbox while it is open, and the
marks are never rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, text

from escalation_engine.app import operations
from escalation_engine.errors import EscalationNotFound
from escalation_engine.service import EscalationService
from escalation_engine.store.tables import WatchRow
from tests.support.scenarios import (
    practice_alert,
    svc,  # noqa: F401  (the fixture: a service with a team south)
)

WATCH = WatchRow.__table__  # type: ignore[attr-defined]


def _marks(engine: Engine) -> list[tuple[str, str, bool, str]]:
    query = select(WATCH.c.username, WATCH.c.reference, WATCH.c.watching, WATCH.c.why)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(WATCH.c.id))]


def _references(service: EscalationService, username: str) -> list[str]:
    return [e.reference for e in service.watching.watched(username)]


def test_people_told_of_a_stage_watch_it_from_then_on(svc: EscalationService) -> None:  # noqa: F811
    ref = practice_alert(svc).reference
    # Stage 1 copies the social worker and tells the IRO manager (a watcher, and the raiser's
    # manager): each watches it once, for the first reason given.
    assert _marks(svc.engine) == [("priya", ref, True, "watchers"), ("sam", ref, True, "copy")]
    assert _references(svc, "sam") == [ref]
    assert _references(svc, "jo") == []  # it is with jo: waiting, not watched
    svc.act(ref, "jo", "respond", note="Meeting booked.")
    assert len(_marks(svc.engine)) == 2  # nobody newly told


def test_anyone_who_may_see_it_watches_and_stops_and_it_leaves_the_inbox_when_closed(
    svc: EscalationService,  # noqa: F811
) -> None:
    first, second = practice_alert(svc).reference, practice_alert(svc).reference
    svc.watch("ellie", first)
    svc.watch("ellie", first)  # already watching: nothing more is written
    svc.watch("amir", second)
    assert [m for m in _marks(svc.engine) if m[3] == "asked"] == [
        ("ellie", first, True, "asked"), ("amir", second, True, "asked")
    ]  # fmt: skip
    assert svc.watching.is_watching("ellie", first)
    assert not svc.watching.is_watching("ellie", second)
    inbox = operations.run(svc, "amir", "inbox")
    assert [item["reference"] for item in inbox["watching"]] == [second]
    svc.watch("amir", second, watching=False)
    assert operations.run(svc, "amir", "inbox")["watching"] == []
    assert _marks(svc.engine)[-1] == ("amir", second, False, "asked")  # the history stays
    svc.act(first, "aisha", "withdraw", note="Raised in error.")
    assert _references(svc, "ellie") == []  # closed: no longer listed


def test_what_is_with_you_or_raised_by_you_is_not_listed_again_as_watched(
    svc: EscalationService,  # noqa: F811
) -> None:
    ref = practice_alert(svc).reference
    svc.watch("jo", ref)
    inbox = operations.run(svc, "jo", "inbox")
    assert [i["reference"] for i in inbox["waiting"]] == [ref]
    assert inbox["watching"] == []


def test_someone_who_may_not_see_it_cannot_watch_it_and_nothing_is_written(
    svc: EscalationService,  # noqa: F811
) -> None:
    ref = practice_alert(svc).reference
    before = _marks(svc.engine)
    for who in ("kim", "tom"):  # a team manager of another team; another IRO
        with pytest.raises(EscalationNotFound, match="that you may see"):
            svc.watch(who, ref)
    assert _marks(svc.engine) == before
    assert operations.run(svc, "kim", "watching") == []


def test_watch_marks_are_append_only(svc: EscalationService) -> None:  # noqa: F811
    practice_alert(svc)
    for statement in ("UPDATE watch SET watching = false", "DELETE FROM watch"):
        with pytest.raises(Exception, match="append-only"), svc.engine.begin() as connection:
            connection.execute(text(statement))
    with svc.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(WATCH)).scalar() == 2
