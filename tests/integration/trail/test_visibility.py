"""The read rules and the access log: each person sees what involves them, every look by anyone
but the raiser is recorded, and the log is chained and reviewed by auditors only."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from escalation_engine.errors import EscalationNotFound, PermissionDenied
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert
from tests.support.tampering import guards_off


def _looks(svc: EscalationService) -> list[tuple[str, str, str]]:
    return [(r.viewer, ref, r.view) for r in svc.viewing.access_log("amir") for ref in r.references]


def test_the_raiser_sees_their_own_without_a_look_being_logged(svc: EscalationService) -> None:
    ref = practice_alert(svc).reference
    assert svc.view(ref, "aisha", "show").reference == ref
    assert _looks(svc) == []


@pytest.mark.parametrize(
    "viewer",
    [
        "tom",  # another IRO, about another child
        "kim",  # a team manager of another team
        "david",  # up the line, but it never reached the director
    ],
)
def test_people_it_does_not_involve_are_refused_as_if_it_did_not_exist_and_the_try_is_logged(
    svc: EscalationService, viewer: str
) -> None:
    ref = practice_alert(svc).reference
    with pytest.raises(EscalationNotFound, match="that you may see"):
        svc.view(ref, viewer, "show")
    assert _looks(svc) == [(viewer, ref, "refused")]
    assert svc.visible(svc.all(), viewer) == []


@pytest.mark.parametrize(
    "viewer",
    ["jo", "ellie", "sam", "priya", "amir"],  # waited on, waited on, copied, IRO manager, auditor
)
def test_people_it_involves_see_it_and_their_look_is_logged(
    svc: EscalationService, viewer: str
) -> None:
    ref = practice_alert(svc).reference
    svc.view(ref, viewer, "show")
    assert _looks(svc) == [(viewer, ref, "show")]


def test_an_iro_sees_alerts_about_children_on_their_caseload(svc: EscalationService) -> None:
    ref = practice_alert(svc).reference
    with pytest.raises(EscalationNotFound):
        svc.view(ref, "tom", "audit")
    practice_alert(svc, username="tom")  # the same child
    svc.view(ref, "tom", "audit")
    assert _looks(svc) == [("tom", ref, "refused"), ("tom", ref, "audit")]


def test_a_manager_sees_it_once_it_has_been_with_their_tier(svc: EscalationService) -> None:
    ref = practice_alert(svc).reference
    svc.act(
        ref,
        "aisha",
        "bypass",
        note="Placement breaking down.",
        target="director",
        consulted="priya",
    )
    svc.view(ref, "david", "show")
    svc.act(ref, "aisha", "withdraw", note="Resolved at panel.")
    svc.view(ref, "david", "show")  # what *was* with them stays visible
    assert [look[0] for look in _looks(svc)] == ["david", "david"]


def test_the_access_log_is_for_auditors_only_and_filters(svc: EscalationService) -> None:
    one = practice_alert(svc).reference
    two = practice_alert(svc, case_refs=["CLA-200001"]).reference
    svc.visible(svc.all(), "jo")
    svc.view(two, "priya", "show")
    assert [(v, r) for v, r, _ in _looks(svc)] == [("jo", one), ("jo", two), ("priya", two)]
    asked = list(svc.viewing.access_log("amir", reference=two))
    assert [(r.viewer, r.references) for r in asked] == [("jo", (two,)), ("priya", (two,))]
    assert [
        ref for r in svc.viewing.access_log("amir", viewer="priya") for ref in r.references
    ] == [two]
    with pytest.raises(PermissionDenied, match="auditor role"):
        list(svc.viewing.access_log("priya"))


def test_the_access_log_is_read_a_page_at_a_time_latest_first(svc: EscalationService) -> None:
    one = practice_alert(svc).reference
    two = practice_alert(svc, case_refs=["CLA-200001"]).reference
    for viewer in ("jo", "priya", "jo", "amir", "jo"):
        svc.view(one, viewer, "show")
        svc.view(two, viewer, "show")
    pages, before = [], None
    while True:
        looks, before = svc.viewing.access_page("amir", before=before, size=2, viewer="jo",
                                                reference=two)  # fmt: skip
        pages.append([(look.viewer, look.references) for look in looks])
        if before is None:
            break
    assert pages == [[("jo", (two,))] * 2, [("jo", (two,))]]
    every = [look.seq for look in svc.viewing.access_log("amir")]
    latest, older = svc.viewing.access_page("amir", before=None, size=len(every))
    assert [look.seq for look in latest] == every[::-1]
    assert older is None
    with pytest.raises(PermissionDenied, match="auditor role"):
        svc.viewing.access_page("priya", before=None, size=2)


def test_the_access_log_is_chained_so_an_edit_is_found(
    svc: EscalationService, engine: Engine
) -> None:
    ref = practice_alert(svc).reference
    svc.view(ref, "jo", "show")
    svc.view(ref, "priya", "show")
    assert svc.verify_all().ok
    with engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("UPDATE access_entry SET viewer = 'mark' WHERE seq = 2"))
    report = svc.verify_all()
    assert not report.ok
    assert "access log entry 2" in str(report.problem)


def test_the_access_log_refuses_changes(svc: EscalationService, engine: Engine) -> None:
    ref = practice_alert(svc).reference
    svc.view(ref, "jo", "show")
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM access_entry"))
