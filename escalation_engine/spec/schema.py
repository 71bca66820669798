"""The JSON Schema of the workflow format, for editors that offer completion and checking.

The schema is shipped as ``schema.json``; the permissions a file may grant are filled in from the
format's vocabulary when it is asked for, so an action added to the engine is in the schema too.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from escalation_engine.spec import vocabulary


def shipped() -> dict[str, Any]:
    """``schema.json`` as shipped."""
    text = resources.files("escalation_engine.spec").joinpath("schema.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def schema() -> dict[str, Any]:
    """The schema, with a permission for every action the engine knows now."""
    data = shipped()
    granted = {name: {"$ref": "#/$defs/names"} for name in vocabulary.names()}
    data["$defs"]["permissions"]["properties"] = granted
    return data


def text() -> str:
    """The schema as a file holds it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
