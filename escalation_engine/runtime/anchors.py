"""Copies of each checkpoint sent out of the database's reach as it is written.

A checkpoint in a folder the database's writers can also write rolls back with the database.
So each one also goes where those writers cannot reach it: by email to the auditors, and to a
syslog server (or the host's syslog socket) the council names, which only appends. An auditor
saves either and runs ``escalate audit verify --checkpoints`` on it. A sink that cannot be reached
is logged; the next checkpoint tries again.
"""

from __future__ import annotations

import json
import logging
import socket
from logging.handlers import SysLogHandler
from pathlib import Path

from escalation_engine.runtime.delivery import mail_checkpoint
from escalation_engine.settings.config import Settings
from escalation_engine.trail.checkpoints import LOG_TAG

log = logging.getLogger(__name__)


def _handler(address: str) -> SysLogHandler:
    if address.startswith("/"):
        return SysLogHandler(address=address, facility=SysLogHandler.LOG_AUTHPRIV)
    scheme, rest = address.split("://", 1)
    host, port = rest.rsplit(":", 1)
    kind = socket.SOCK_STREAM if scheme == "tcp" else socket.SOCK_DGRAM
    return SysLogHandler(address=(host, int(port)), facility=SysLogHandler.LOG_AUTHPRIV,
                         socktype=kind)  # fmt: skip


def syslog_checkpoint(address: str, path: Path) -> None:
    """Send the checkpoint file at ``path`` to syslog at ``address`` as one line (its JSON)."""
    facts = json.loads(path.read_text(encoding="utf-8"))
    line = f"{LOG_TAG} {json.dumps(facts, sort_keys=True, separators=(',', ':'))}"
    handler = _handler(address)
    try:
        handler.emit(logging.LogRecord("escalate", logging.INFO, __file__, 0, line, None, None))
    finally:
        handler.close()


def send_checkpoint(settings: Settings, path: Path) -> list[str]:
    """Send the checkpoint at ``path`` to every sink outside the database's reach; the ones that
    could not be reached."""
    failed = mail_checkpoint(settings, path.name, path.read_text(encoding="utf-8"))
    address = settings.audit.checkpoint_syslog
    if address is not None:
        try:
            syslog_checkpoint(address, path)
        except OSError as exc:
            log.error("could not send the checkpoint to syslog at %s: %s", address, exc)
            failed.append(address)
    return failed
