"""``python -m escalation_engine`` runs the ``escalate`` command."""

from __future__ import annotations

from escalation_engine.cli import main

main()
