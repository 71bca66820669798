from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import DefinitionError
from escalation_engine.spec import load_workflow, load_workflow_text, load_workflows_dir
from tests.support.shipped import ROOT

WORKFLOWS = sorted(
    [*(ROOT / "workflows").glob("*.yaml"), *(ROOT / "examples" / "workflows").glob("*.yaml")]
)
BROKEN = sorted((ROOT / "tests" / "fixtures" / "workflows").glob("*.yaml"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_every_shipped_workflow_loads_and_passes_its_checks(path: Path) -> None:
    spec = load_workflow(path)
    assert spec.name == path.stem
    assert spec.stages


def test_shipped_workflows_include_the_three_seeds() -> None:
    assert set(load_workflows_dir(ROOT / "workflows")) >= {
        "rag_rating",
        "case_alert",
        "dispute_resolution",
    }


def _expected(path: Path) -> list[str]:
    """Each broken fixture states the messages it must produce in its leading comments."""
    return [
        line.removeprefix("# expect:").strip()
        for line in path.read_text().splitlines()
        if line.startswith("# expect:")
    ]


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_broken_fixture_is_refused_with_its_message(path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_workflow(path)
    message = str(caught.value)
    expected = _expected(path)
    assert expected, f"{path.name} states no '# expect:' line"
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_every_problem_is_reported_at_once_with_line_numbers() -> None:
    text = """
name: two_problems
roles: [iro, team_manager]
alert_types:
  a: {enters_at: stage_one, raised_by: [iro]}
stages:
  stage_one:
    responders: [team_mangaer]
    clock: {working_days: 5}
    on_timeout: stage_tw
"""
    with pytest.raises(DefinitionError) as caught:
        load_workflow_text(text, source="inline.yaml")
    assert len(caught.value.problems) == 2
    assert (
        "line 8: stages.stage_one.responders: unknown role 'team_mangaer'. Did you mean 'team_manager'?"
        in str(caught.value)
    )
    assert "line 10: stages.stage_one.on_timeout: unknown stage or outcome 'stage_tw'" in str(
        caught.value
    )


def test_yes_and_no_stay_words_not_booleans() -> None:
    text = (
        (ROOT / "workflows" / "dispute_resolution.yaml")
        .read_text()
        .replace("title: Practice Alert", "title: no")
    )
    spec = load_workflow_text(text)
    assert spec.alert_type("practice_alert").title == "no"


def test_short_clock_text_is_understood() -> None:
    text = (
        (ROOT / "workflows" / "dispute_resolution.yaml")
        .read_text()
        .replace(
            "clock: {working_days: 5}\n    reminder: {working_days: 1}\n    on_timeout: service_manager",
            "clock: 10 calendar days\n    reminder: {working_days: 1}\n    on_timeout: service_manager",
        )
    )
    spec = load_workflow_text(text)
    assert spec.stage("team_manager").clock.describe() == "10 calendar days"
