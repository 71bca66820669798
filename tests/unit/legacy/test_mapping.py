"""A legacy import's mapping: which column is which field, defaults, and the old system's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import InvalidInput
from escalation_engine.legacy.mapping import Mapping, from_options, load
from tests.support.shipped import ROOT

EXAMPLE = ROOT / "escalation_engine" / "data" / "examples" / "legacy"


def test_the_mapping_names_columns_defaults_and_the_old_systems_words(tmp_path: Path) -> None:
    mapping = load(EXAMPLE / "mapping.yaml")
    assert mapping.columns["case"] == "Child ID"
    assert mapping.translate("stage", "stage 2") == "service_manager"
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  child: Child ID\n")
    with pytest.raises(InvalidInput, match="'child' is not a field"):
        load(bad)
    with pytest.raises(InvalidInput, match="write it as FIELD=VALUE"):
        from_options(None, ["case"], [])
    with pytest.raises(InvalidInput, match="no such column"):
        from_options(None, ["case=Child"], []).resolve(["Case reference", "Outcome"])
    with pytest.raises(InvalidInput, match=r"No column for alert_type \('Alert type'\)"):
        Mapping().resolve(["Case reference", "Outcome"])
