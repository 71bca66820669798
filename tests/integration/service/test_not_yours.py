"""Someone outside an escalation's reach learns nothing from a refusal: looking at it, watching
it or acting on it is refused in the words and with the status of a reference that does not
exist, before a version or a permission could say what it is; the refused look is recorded
for the auditors, and nothing else is written."""

from __future__ import annotations

import pytest

from escalation_engine.app import operations
from escalation_engine.errors import EscalationNotFound, http_status
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert


def _refusal(service: EscalationService, *call: object) -> tuple[str, int]:
    with pytest.raises(EscalationNotFound) as refused:
        operations.run(service, *call)  # type: ignore[arg-type]
    return str(refused.value), http_status(refused.value)


def test_another_iros_escalation_reads_as_one_that_does_not_exist(
    service: EscalationService,
) -> None:
    reference = practice_alert(service).reference
    unknown = _refusal(service, "tom", "show", {"reference": "ESC-2026-0999"})
    assert unknown[1] == 404
    for name, path, params in (
        ("show", {}, {}),
        ("trail", {}, {}),
        ("watch", {}, {}),
        ("act", {"action": "respond"}, {"note": "Not mine to answer.", "expected_version": 0}),
        ("act", {"action": "respond"}, {"note": "A stale version.", "expected_version": 7}),
    ):
        said = _refusal(service, "tom", name, {"reference": reference} | path, params)
        assert said == (unknown[0].replace("ESC-2026-0999", reference), 404), name
    assert [e.action for e in service.trail(reference)] == ["raise"]
    looks = [
        (r.viewer, ref, r.view) for r in service.viewing.access_log("amir") for ref in r.references
    ]
    assert looks == [("tom", reference, "refused")] * 5


def test_the_people_it_is_with_are_not_refused(service: EscalationService) -> None:
    reference = practice_alert(service).reference
    operations.run(service, "jo", "show", {"reference": reference})
    done = operations.run(service, "jo", "act", {"reference": reference, "action": "respond"},
                          {"note": "Meeting booked."})  # fmt: skip
    assert done["status"] == "responded"
