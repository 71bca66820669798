"""A stage that would reach nobody is named before anything runs: ``workflows validate`` says which
stage, team and role, who holds it elsewhere and the fix; ``run``, ``serve`` and ``db upgrade``
refuse to start, naming the escalations it would stall, and write nothing; ``status`` lists them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.cli import init_site, raise_alert, run, site_engine
from tests.support.databases import DATABASES, database, fingerprint

#: The service manager reports to nobody: the head of service, assistant director and director
#: are no longer up north's line of management.
CUT = ("manager: helen}", "}")


@pytest.fixture(params=DATABASES)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    with database(request.param, tmp_path) as url:
        yield init_site(tmp_path, url)


def _edit(folder: Path, old: str, new: str) -> None:
    config = folder / "config.yaml"
    text = config.read_text()
    assert text.count(old) == 1
    config.write_text(text.replace(old, new))


def test_validate_names_the_stage_team_role_holder_and_fix(site: Path) -> None:
    assert run(site, "workflows", "validate").returncode == 0
    _edit(site, *CUT)
    result = run(site, "workflows", "validate")
    assert result.returncode == 1
    said = " ".join(result.stderr.split())
    for part in (
        "✗ dispute_resolution, stage 'assistant_director'",
        "for a child in north",
        "is an assistant director to respond",
        "ruth holds it outside that reach",
        "scope: service",
        "stand_in",
        "config.yaml",
    ):
        assert part in said, said
    assert "✓" in result.stdout  # each file still loads; the people are what fall short


def test_service_scope_in_the_workflow_fixes_it(site: Path) -> None:
    _edit(site, *CUT)
    for path in (site / "workflows").glob("*.yaml"):
        workflow = yaml.safe_load(path.read_text())
        for stage in workflow["stages"].values():
            stage["scope"] = "service"  # the senior posts serve every team
        path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = run(site, "workflows", "validate")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("command", "doing"),
    [
        (("run",), "start the worker"),
        (("serve", "--port", "0"), "serve"),
        (("db", "upgrade"), "upgrade the database"),
    ],
)
def test_start_up_is_refused_naming_the_escalations_and_writing_nothing(
    site: Path, command: tuple[str, ...], doing: str
) -> None:
    reference = raise_alert(site)["reference"]
    _edit(site, *CUT)
    engine = site_engine(site)
    before = fingerprint(engine)
    result = run(site, *command)
    assert result.returncode != 0
    said = " ".join(result.stderr.split())
    assert f"Cannot {doing}: a stage would reach nobody; nothing was done." in said, said
    assert "stage 'assistant_director'" in said
    if command[0] != "db":  # the upgrade checks the configuration before opening the database
        assert f"{reference} would wait on nobody at assistant_director" in said
    assert fingerprint(engine) == before
    engine.dispose()


def test_status_lists_the_stages_and_escalations_reaching_nobody(site: Path) -> None:
    reference = raise_alert(site)["reference"]
    _edit(site, *CUT)
    result = run(site, "status", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["healthy"] is False
    assert any("'assistant_director'" in s for s in report["stages_reaching_nobody"])
    assert report["escalations_reaching_nobody"] == {
        reference: "would wait on nobody at assistant_director"
    }
    plain = run(site, "status")
    said = " ".join(plain.stderr.split())
    assert "reaching nobody" in said
    assert reference in said


def test_someone_leaving_is_named_with_nobody_holding_the_role_anywhere(site: Path) -> None:
    config = site / "config.yaml"
    lines = [line for line in config.read_text().splitlines() if "username: david" not in line]
    config.write_text("\n".join(lines) + "\n")
    _edit(site, "manager: david}", "}")
    result = run(site, "workflows", "validate")
    assert result.returncode == 1
    said = " ".join(result.stderr.split())
    assert "stage 'director'" in said
    assert "is a director to respond" in said
    assert "outside that reach" not in said.split("stage 'director'")[1].split("✗")[0]
