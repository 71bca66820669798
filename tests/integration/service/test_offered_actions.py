"""What ``show`` and the desk offer is what may be taken now: no "Respond" once the stage is
answered, no "Accept" or "Reject" before there is a response to judge, no "Extend" without a
deadline; each one offered is then accepted by ``act``."""

from __future__ import annotations

from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert


def _offered_and_taken(service: EscalationService, reference: str, who: str) -> list[str]:
    offered = service.may_take(who, service.get(reference))
    for action in offered:
        if action in ("respond", "accept", "reject"):  # each offered is accepted (rolled back)
            service.act(reference, who, action, note="Offered, so taken.", dry_run=True)
    return offered


def test_actions_are_offered_only_when_the_escalation_as_it_stands_lets_them_be_taken(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    assert "respond" in _offered_and_taken(service, esc.reference, "jo")
    assert "extend" in service.may_take("priya", service.get(esc.reference))
    raiser = _offered_and_taken(service, esc.reference, "aisha")
    assert "accept" not in raiser
    assert "reject" not in raiser
    service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    assert "respond" not in _offered_and_taken(service, esc.reference, "jo")
    judging = _offered_and_taken(service, esc.reference, "aisha")
    assert {"accept", "reject"} <= set(judging)
    assert "extend" not in service.may_take("priya", service.get(esc.reference))  # clock stopped


def test_im_on_it_is_offered_to_the_others_at_the_stage_not_to_whoever_said_it(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    assert "handle" in service.may_take("jo", esc)
    service.act(esc.reference, "jo", "handle", note="Calling the social worker.")
    handled = service.get(esc.reference)
    assert "handle" not in service.may_take("jo", handled)
    assert "handle" in service.may_take("ellie", handled)  # the other at the stage may take it over
    service.act(esc.reference, "ellie", "handle", note="Jo is away today.", dry_run=True)
