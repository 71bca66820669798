"""``escalate status``: is the engine doing its job, in a form monitoring can act on.

A worker can be alive and still fail every sweep, and a workflow file can be broken while the
others run; both are reported, and either makes the status unhealthy (non-zero exit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from escalation_engine.app.coverage import coverage
from escalation_engine.service import EscalationService
from escalation_engine.service.alarms import Alarm
from escalation_engine.service.outbox import undelivered
from escalation_engine.store import notifications, workers
from escalation_engine.trail import checkpoints


@dataclass(frozen=True, slots=True)
class Status:
    worker_alive: bool
    worker: dict[str, Any] | None
    next_deadline: datetime | None
    overdue: int
    undelivered: int
    notifying: bool
    sweeps_failing_since: datetime | None = None
    sweep_error: str = ""
    broken_workflows: dict[str, str] = field(default_factory=dict)
    #: Each stage x team x role that would leave an escalation with nobody, said with its fix.
    unreached_stages: tuple[str, ...] = ()
    #: Open escalations with nobody to act now or on their climb: reference → where.
    unreached: dict[str, str] = field(default_factory=dict)
    #: Open escalations whose stored clocks are not what their trail says: reference → how.
    clocks_moved: dict[str, str] = field(default_factory=dict)
    #: Deadlines passed longer ago than a few sweeps with no engine move: the worker is lagging.
    lagging: int = 0
    #: Notices given up on (escalation still open), retrying after a failure, or overdue.
    notices: dict[str, int] = field(default_factory=dict)
    #: The newest checkpoint written, and whether its folder sits inside the service's folder
    #: (it then rolls back with the database and anchors nothing against a restored copy).
    checkpoint_at: datetime | None = None
    checkpoints_beside_database: bool = False
    #: The newest checkpoint is over two days old (the worker writes one daily).
    checkpoint_overdue: bool = False

    @property
    def healthy(self) -> bool:
        return (
            self.worker_alive
            and self.notifying
            and self.sweeps_failing_since is None
            and not self.broken_workflows
            and not self.unreached_stages
            and not self.unreached
            and not self.clocks_moved
            and not self.lagging
            and not any(self.notices.values())
            and not self.checkpoint_overdue
        )

    def problems(self) -> dict[str, int]:
        """What needs attention, each kind with how many, naming no escalation (``/health`` is
        answered to anyone)."""
        counts = {
            "worker_not_running": int(not self.worker_alive),
            "notifications_not_configured": int(not self.notifying),
            "sweeps_failing": int(self.sweeps_failing_since is not None),
            "broken_workflow_files": len(self.broken_workflows),
            "stages_reaching_nobody": len(self.unreached_stages),
            "escalations_reaching_nobody": len(self.unreached),
            "clocks_disagreeing_with_trail": len(self.clocks_moved),
            "deadlines_lagging": self.lagging,
            **{f"notices_{kind}": count for kind, count in self.notices.items()},
            "checkpoint_overdue": int(self.checkpoint_overdue),
        }
        return {kind: count for kind, count in counts.items() if count}

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "worker_alive": self.worker_alive,
            "worker": self.worker,
            "next_deadline": self.next_deadline.isoformat() if self.next_deadline else None,
            "overdue": self.overdue,
            "undelivered_notifications": self.undelivered,
            "notifications_configured": self.notifying,
            "sweeps_failing_since": self.sweeps_failing_since.isoformat()
            if self.sweeps_failing_since
            else None,
            "sweep_error": self.sweep_error,
            "broken_workflow_files": self.broken_workflows,
            "stages_reaching_nobody": list(self.unreached_stages),
            "escalations_reaching_nobody": self.unreached,
            "clocks_disagreeing_with_trail": self.clocks_moved,
            "deadlines_lagging": self.lagging,
            "notices_in_trouble": self.notices,
            "newest_checkpoint_at": _iso(self.checkpoint_at),
            "checkpoints_beside_database": self.checkpoints_beside_database,
            "checkpoint_overdue": self.checkpoint_overdue,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def status(service: EscalationService) -> Status:
    """Whether a worker is alive (a recent heartbeat) and sweeping cleanly, the next deadline,
    the backlogs, the workflow files that do not load, and what would reach nobody."""
    now = service.clock.now()
    reached = coverage(service)
    row = workers.latest(service.engine)
    worker = None
    alive = False
    failing_since, error = None, ""
    folder = service.settings.audit.checkpoint_folder
    newest = checkpoints.latest(folder) if folder is not None else None
    settings = service.settings
    mailed = settings.notifications.email is not None and any(
        "auditor" in p.roles and p.email for p in settings.people.values()
    )
    beside = (  # and no copy goes where the database's writers cannot reach
        folder is not None
        and folder.is_relative_to(settings.path.parent.resolve())
        and settings.audit.checkpoint_syslog is None
        and not mailed
    )
    # Longer than a few sweeps: past it, a deadline not yet applied means the worker lags.
    lag = timedelta(seconds=3 * service.settings.worker.sweep_seconds + 60)
    if row is not None:
        stale_after = timedelta(seconds=3 * service.settings.worker.sweep_seconds + 5)
        alive = row.stopped_at is None and now - row.heartbeat_at <= stale_after
        worker = {"pid": row.pid, "host": row.host, "started_at": _iso(row.started_at),
                  "heartbeat_at": _iso(row.heartbeat_at), "stopped_at": _iso(row.stopped_at)}  # fmt: skip
        if alive and row.sweep_failures:
            failing_since, error = row.failing_since, row.last_error
    return Status(
        worker_alive=alive,
        worker=worker,
        next_deadline=service.queries.next_due(),
        overdue=service.queries.overdue(now),
        undelivered=undelivered(service.engine),
        notifying=service.settings.notifications.configured,
        sweeps_failing_since=failing_since,
        sweep_error=error,
        broken_workflows={
            path: str(problem) for path, problem in service.registry.failures.items()
        },
        unreached_stages=tuple(gap.said() for gap in reached.stalls),
        unreached=dict(reached.affected),
        clocks_moved={drift.reference: drift.said() for drift in service.clocks.disagreeing()},
        lagging=service.queries.overdue(now - lag),
        notices=notifications.trouble(service.engine, now, lag, service.anchoring.furthest_due),
        checkpoint_at=newest.at if newest is not None else None,
        checkpoints_beside_database=beside,
        checkpoint_overdue=newest is not None and now - newest.at > 2 * checkpoints.DAILY,
    )


#: How long ``/health`` answers from the same status: a load balancer may probe every second, and
#: the status reads every open escalation (the worker looks for alarms far less often).
FRESH = timedelta(seconds=10)


class Answers:
    """The last status's problems, reused while fresh; probes arriving together wait for one
    look instead of each taking their own."""

    def __init__(self, fresh: timedelta = FRESH) -> None:
        self.fresh = fresh
        self._lock = threading.Lock()
        self._last: tuple[datetime, dict[str, int]] | None = None

    def problems(self, now: datetime, look: Callable[[], dict[str, int]]) -> dict[str, int]:
        with self._lock:
            last = self._last
            if last is None or not last[0] <= now < last[0] + self.fresh:
                last = self._last = (now, look())
            return last[1]


def raise_alarms(service: EscalationService) -> list[Alarm]:
    """Tell the IRO managers of each trouble ``status`` finds (once a day while it lasts);
    the alarms told now. The worker calls this as it starts and every few minutes."""
    return service.alarms.raise_for(status(service).problems(), service.clock.now())
