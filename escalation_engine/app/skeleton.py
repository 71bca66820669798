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


KEYS = "keys"
CHECKPOINTS = "checkpoints"
_AUDIT_BLOCK = """
# The audit trail's signature and checkpoints. Every entry is signed with the private key in
# signing_key_file (made by 'escalate init'; readable only by the account that runs the engine, or
# given as ESCALATE_AUDIT_KEY_FILE or ESCALATE_AUDIT_KEY instead); 'escalate audit verify' checks
# every signature with the public key. The worker writes a signed checkpoint into the folder every
# so many entries and at least daily: copy them somewhere the database's writers cannot reach, and
# 'escalate audit verify --checkpoints FOLDER' proves the trail still holds each one. Each is also
# emailed to the auditors and, with syslog: udp://HOST:514 (or tcp://, or /dev/log) added under
# checkpoints, sent to a syslog server that only appends ('verify --checkpoints' reads its file).
audit:
  public_key: {public_key}
  signing_key_file: {KEYS}/audit-signing.pem
  checkpoints: {{folder: {CHECKPOINTS}, every: 1000}}
"""


_TRAINING_BLOCK = """
# A training database: commands may act as anyone listed under people (--as USERNAME), and each
# entry made that way records the computer login that typed it as well.
allow_act_as: true
"""


def write_config(folder: Path, *, database_url: str | None = None, training: bool = False) -> Path:
    """Write the config template into ``folder`` (optionally naming another database), with a
    new signing key pair for the audit trail: the private key in ``keys/``, readable by its
    owner only, and the public key in config.yaml."""
    from escalation_engine.settings.keys import write_key_pair

    text = config_template()
    if database_url is not None:
        text = text.replace(
            "database_url: sqlite:///escalations.db", f"database_url: {database_url}"
        )
    _, public_key = write_key_pair(folder / KEYS)
    text += _AUDIT_BLOCK.format(public_key=public_key, KEYS=KEYS, CHECKPOINTS=CHECKPOINTS)
    if training:
        text += _TRAINING_BLOCK
    path = folder / CONFIG
    path.write_text(text, encoding="utf-8")
    return path


def copy_workflows(folder: Path) -> list[Path]:
    """Copy the shipped workflows into ``folder/workflows``."""
    return _copy_tree(data().joinpath(WORKFLOWS), folder / WORKFLOWS)


def copy_examples(folder: Path) -> list[Path]:
    """Copy the examples (such as the rehearsal ladder measured in seconds) into ``folder/examples``."""
    return _copy_tree(data().joinpath(EXAMPLES), folder / EXAMPLES)
