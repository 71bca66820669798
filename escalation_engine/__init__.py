"""Escalation workflows for Independent Reviewing Officer (IRO) services.

An IRO raises an alert about drift or delay in a looked-after child's care plan; the escalation
climbs a council's ladder (declared in YAML) on timeouts and unsatisfactory responses, every step
recorded in an append-only, hash-chained audit trail.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
