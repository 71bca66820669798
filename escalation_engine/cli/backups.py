"""``escalate backup-key``, ``escalate backup`` and ``escalate restore``: encrypted copies of the
whole database a council can keep off the service host, and putting one back into an empty
database, checked against the checkpoint taken with it before anyone uses it.

They run on the service host (they read and write the database itself), and the key file is
kept outside the service folder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import app, current_settings, err, escape, open_service, out

KEY_ENV = "ESCALATE_BACKUP_KEY_FILE"

KeyFile = Annotated[
    Path,
    typer.Option("--key-file", envvar=KEY_ENV, metavar="FILE",
                 help=f"The backup key (outside the service folder; or ${KEY_ENV})."),
]  # fmt: skip


def _folder() -> Path:
    from escalation_engine.cli.common import STATE
    from escalation_engine.settings.config import find_config

    return find_config(STATE.config).parent


@app.command("backup-key")
def backup_key(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to keep the new key.")],
) -> None:
    """Make the key backups are encrypted to, outside the service folder; keep a copy of it
    somewhere safe apart from the backups.

    Example: escalate backup-key /etc/escalate/backup.key
    """
    from escalation_engine.settings import backup_keys

    made = backup_keys.new_key(path, _folder())
    out.print(
        f"Made the backup key {escape(str(made))}. Keep a copy apart from the backups: without it"
        " no backup can be opened."
    )


@app.command("backup")
def backup(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The encrypted backup to write.")],
    key_file: KeyFile,
) -> None:
    """Copy the whole database while the service runs, with a checkpoint taken now, encrypted
    to the backup key.

    Example: escalate backup /srv/backups/escalations-2026-12-07.backup --key-file /etc/escalate/backup.key
    """
    from escalation_engine.service.backups import backup as take
    from escalation_engine.settings import backup_keys

    key = backup_keys.load_key(key_file, _folder())
    service = open_service(real_time=True)
    manifest = take(service.ctx, service.anchoring, path, key)
    signed = "with a signed checkpoint" if manifest.checkpoint else "unsigned (no signing key)"
    out.print(
        f"Backed up {_entries(manifest.entries)} to {escape(str(path))}, encrypted,"
        f" {signed}. 'escalate restore' puts it back into an empty database."
    )


@app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The encrypted backup.")],
    key_file: KeyFile,
    redactions: Annotated[
        Path | None,
        typer.Option(
            "--redactions", metavar="FILE",
            help="The redaction log to make again (default: redactions.jsonl in the checkpoint folder).",
        ),
    ] = None,
) -> None:  # fmt: skip
    """Put a backup back into the empty database config.yaml names, verify the whole trail
    against the checkpoint taken with the backup, then make again every redaction made since
    it was taken (from the redaction log kept beside the checkpoints).

    Example: escalate restore escalations-2026-12-07.backup --key-file /etc/escalate/backup.key
    """
    from escalation_engine.errors import IntegrityError
    from escalation_engine.service.backups import restore as put_back
    from escalation_engine.settings import backup_keys
    from escalation_engine.store import head

    settings = current_settings()
    key = backup_keys.load_key(key_file, _folder())
    with tempfile.TemporaryDirectory(prefix="escalate-restored-") as work:
        checkpoint = Path(work)
        manifest = put_back(settings.database_url, path, key, checkpoint)
        service = open_service(real_time=True)
        if manifest.checkpoint is not None:
            report = service.verify_all(folder=checkpoint)
            if not report.ok:
                raise IntegrityError(
                    f"Restored {escape(str(path))}, but it does not verify: {report.problem}."
                    " Do not use it; restore another backup."
                )
        elif head(service.engine) != (manifest.entries, manifest.head or None):
            raise IntegrityError(
                f"Restored {escape(str(path))}, but its trail does not end where the backup's did."
            )
        kept = settings.audit.checkpoint_folder
        if kept is not None:
            kept.mkdir(parents=True, exist_ok=True)
            for found in checkpoint.glob("checkpoint-*.json"):
                shutil.copyfile(found, kept / found.name)
    taken = manifest.taken_at.astimezone(settings.calendar.tz).strftime("%d %b %Y %H:%M")
    out.print(
        f"Restored the backup of {taken} ({_entries(manifest.entries)}) and verified it against"
        " the checkpoint taken with it (now kept with the others). Entries written after the"
        " backup are not in it."
    )
    from escalation_engine.trail import redaction_log

    _redact_again(service, redactions or (redaction_log.path_in(kept) if kept else None))


def _redact_again(service: Any, log: Path | None) -> None:
    """Make again the redactions made since the backup, from the redaction log."""
    if log is None or not log.exists():
        where = f" ({escape(str(log))} does not exist)" if log is not None else ""
        out.print(
            f"No redaction log to make again{where}: if text was redacted after this backup was"
            " taken, restore with --redactions FILE."
        )
        return
    from escalation_engine.trail import redaction_log

    made, foreign = service.redacting.reapply(redaction_log.read(log))
    out.print(f"Made again {made} redaction{'s' if made != 1 else ''} from {escape(str(log))}.")
    if foreign:
        err.print(
            f"[yellow]{foreign} line{'s' if foreign != 1 else ''} of the redaction log name text"
            " this database does not hold as logged[/yellow]: is it this service's log?"
        )


def _entries(count: int) -> str:
    return f"{count:,} audit entr{'y' if count == 1 else 'ies'}"
