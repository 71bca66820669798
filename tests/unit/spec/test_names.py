"""A workflow's name is a plain word of its own: a name that is a path or has spaces is refused,
and two files giving the same name are both set aside, each naming the other, so which one an
alert runs under never depends on the order files are read in."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import DefinitionError
from escalation_engine.spec.loader import load_workflow_text, read_workflows_dir
from tests.support.shipped import ROOT

GOOD = (ROOT / "workflows" / "dispute_resolution.yaml").read_text()


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "Dispute Resolution", "dispute-resolution", "9lives", "x" * 65, "ünïcode"],
)
def test_a_name_that_is_not_a_plain_word_is_refused(name: str) -> None:
    text = GOOD.replace("name: dispute_resolution", f"name: '{name}'", 1)
    with pytest.raises(DefinitionError, match="is not a plain name: use lower-case letters"):
        load_workflow_text(text)


def test_two_files_giving_one_name_are_both_set_aside_naming_each_other(tmp_path: Path) -> None:
    (tmp_path / "dispute_resolution.yaml").write_text(GOOD)
    (tmp_path / "copy.yaml").write_text(GOOD.replace("\nversion: 1", "\nversion: 2", 1))
    (tmp_path / "rag_rating.yaml").write_text((ROOT / "workflows" / "rag_rating.yaml").read_text())
    folder = read_workflows_dir(tmp_path)
    assert set(folder.specs) == {"rag_rating"}
    assert folder.clashes == {
        "dispute_resolution": (
            str(tmp_path / "copy.yaml"),
            str(tmp_path / "dispute_resolution.yaml"),
        )
    }
    said = str(folder.failures[str(tmp_path / "copy.yaml")])
    assert f"is also the name of {tmp_path / 'dispute_resolution.yaml'}" in said
    said = str(folder.failures[str(tmp_path / "dispute_resolution.yaml")])
    assert f"is also the name of {tmp_path / 'copy.yaml'}" in said
