"""What a new service folder starts with: the config template, the shipped workflows and the
examples, read from the installed package.

They are package data so that ``pip install escalation-engine`` (or ``pipx``) gives a working
``escalate init`` and ``escalate demo`` anywhere, with no checkout of the repository.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

CONFIG = "config.yaml"
WORKFLOWS = "workflows"
EXAMPLES = "examples"


def data() -> Traversable:
    """The package's data folder."""
    return resources.files("escalation_engine").joinpath("data")


def config_template() -> str:
    """The text of the config.yaml template, with its comments."""
    return data().joinpath(CONFIG).read_text(encoding="utf-8")


def _copy_tree(source: Traversable, target: Path) -> list[Path]:
    """Copy ``source`` into ``target`` file by file, never overwriting; return what was written."""
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        if item.name.startswith((".", "__")):
            continue
        destination = target / item.name
        if item.is_dir():
            written += _copy_tree(item, destination)
        elif not destination.exists():
            destination.write_bytes(item.read_bytes())
            written.append(destination)
    return written


def write_config(folder: Path, *, database_url: str | None = None) -> Path:
    """Write the config template into ``folder`` (optionally naming another database)."""
    text = config_template()
    if database_url is not None:
        text = text.replace(
            "database_url: sqlite:///escalations.db", f"database_url: {database_url}"
        )
    path = folder / CONFIG
    path.write_text(text, encoding="utf-8")
    return path


def copy_workflows(folder: Path) -> list[Path]:
    """Copy the shipped workflows into ``folder/workflows``."""
    return _copy_tree(data().joinpath(WORKFLOWS), folder / WORKFLOWS)


def copy_examples(folder: Path) -> list[Path]:
    """Copy the examples (such as the rehearsal ladder measured in seconds) into ``folder/examples``."""
    return _copy_tree(data().joinpath(EXAMPLES), folder / EXAMPLES)
