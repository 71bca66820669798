"""``python -m escalation_engine`` runs the ``escalate`` command."""

from __future__ import annotations

from .cli import main

main()
