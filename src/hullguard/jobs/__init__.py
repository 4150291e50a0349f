"""Scan jobs shared by any number of workers through PostgreSQL.

``schema`` creates and migrates the ``hullguard_jobs*`` tables (independent of the
inventory's schema); ``queue`` enqueues (deduplicated), claims with
``SELECT … FOR UPDATE SKIP LOCKED`` under a lease, renews, completes and fails jobs,
every state change guarded by the claim token; ``worker`` runs the claim → scan →
store loop with a heartbeat and graceful SIGTERM; ``scanjob`` scans one image into
the inventory; ``listing`` turns a registry (or one repository) into references;
``pgcache`` is the per-layer analysis cache kept in PostgreSQL for several machines.
"""

from hullguard.jobs.interface import (
    ClaimedJob,
    JobQueueError,
    JobRow,
    JobState,
    QueueStats,
)

__all__ = ["ClaimedJob", "JobQueueError", "JobRow", "JobState", "QueueStats"]
