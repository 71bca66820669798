"""The JSON Schema for editors stays in step with what the loader reads."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from escalation_engine.spec import schema, vocabulary
from escalation_engine.spec.loader import ALERT_KEYS, STAGE_KEYS, TOP_KEYS
from escalation_engine.spec.yamlnodes import parse_yaml
from tests.support.shipped import ROOT

SCHEMA: dict[str, Any] = json.loads(
    resources.files("escalation_engine.spec").joinpath("schema.json").read_text()
)
WORKFLOWS = sorted(
    [*(ROOT / "workflows").glob("*.yaml"), *(ROOT / "examples" / "workflows").glob("*.yaml")]
)


def test_schema_top_level_keys_match_the_loader() -> None:
    assert set(SCHEMA["properties"]) == set(TOP_KEYS)


def test_schema_stage_keys_match_the_loader() -> None:
    assert set(SCHEMA["$defs"]["stage"]["properties"]) == set(STAGE_KEYS)


def test_schema_alert_type_keys_match_the_loader() -> None:
    assert set(SCHEMA["$defs"]["alert_type"]["properties"]) == set(ALERT_KEYS)


def test_schema_permissions_match_the_actions() -> None:
    assert set(SCHEMA["$defs"]["permissions"]["properties"]) == set(vocabulary.names())


def test_the_schema_given_out_is_the_shipped_one_with_the_actions_known_now() -> None:
    assert schema.schema() == SCHEMA
    assert json.loads(schema.text()) == SCHEMA


def test_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_shipped_workflows_match_the_schema(path: Path) -> None:
    jsonschema.validate(parse_yaml(path.read_text()).data, SCHEMA)


def test_the_schema_catches_a_clock_without_a_unit() -> None:
    data = parse_yaml((ROOT / "workflows" / "dispute_resolution.yaml").read_text()).data
    data["stages"]["team_manager"]["clock"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
