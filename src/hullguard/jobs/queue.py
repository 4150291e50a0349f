"""The job queue's SQL: enqueue, claim under a lease, heartbeat, complete, fail, release.

Claiming is one statement: ``SELECT … FOR UPDATE SKIP LOCKED`` picks the oldest
claimable job (queued and due, or running with an expired lease: its worker died)
without waiting on rows other workers are claiming, and the ``UPDATE`` stamps a
fresh claim token, the worker id, the attempt and the lease. Every later change
(heartbeat, complete, fail, release) is ``WHERE id = … AND claim_token = …
AND state = 'running'``: a worker presumed dead whose job was reclaimed finds
its token gone and cannot overwrite the new owner's work. Times come from the
database clock, so workers on machines with skewed clocks agree on leases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import psycopg
from psycopg.rows import TupleRow

from hullguard.jobs.interface import (
    ClaimedJob,
    ClaimToken,
    EnqueueResult,
    JobId,
    JobQueueError,
    JobRow,
    JobState,
    QueueStats,
)
from hullguard.jobs.schema import connect

_MAX_ERROR = 2000

_EXPIRE_EXHAUSTED = """
UPDATE hullguard_jobs SET state = 'failed', finished_at = now(), lease_expires_at = NULL,
    last_error = concat_ws(': ', 'worker ' || claimed_by || ' lost its lease after attempt '
                           || attempts || ' of ' || max_attempts, last_error)
WHERE id IN (
    SELECT id FROM hullguard_jobs
    WHERE state = 'running' AND lease_expires_at < now() AND attempts >= max_attempts
    FOR UPDATE SKIP LOCKED
)
"""

_CLAIM = """
WITH next AS (
    SELECT id FROM hullguard_jobs
    WHERE (state = 'queued' AND run_after <= now())
       OR (state = 'running' AND lease_expires_at < now() AND attempts < max_attempts)
    ORDER BY run_after, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE hullguard_jobs AS j
SET state = 'running', attempts = j.attempts + 1, claimed_by = %(worker)s,
    claim_token = %(token)s, started_at = now(),
    lease_expires_at = now() + make_interval(secs => %(lease)s)
FROM next WHERE j.id = next.id
RETURNING j.id, j.image, j.attempts, j.max_attempts
"""

_HEARTBEAT = """
UPDATE hullguard_jobs SET lease_expires_at = now() + make_interval(secs => %(lease)s)
WHERE id = %(id)s AND claim_token = %(token)s AND state = 'running' RETURNING id
"""

_COMPLETE = """
UPDATE hullguard_jobs SET state = 'done', finished_at = now(), lease_expires_at = NULL,
    result = %(result)s, last_error = NULL
WHERE id = %(id)s AND claim_token = %(token)s AND state = 'running' RETURNING id
"""

_FAIL = """
UPDATE hullguard_jobs SET
    state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
    finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
    run_after = now() + make_interval(secs => %(delay)s),
    lease_expires_at = NULL, last_error = %(error)s
WHERE id = %(id)s AND claim_token = %(token)s AND state = 'running' RETURNING state
"""

_RELEASE = """
UPDATE hullguard_jobs SET state = 'queued', attempts = attempts - 1, lease_expires_at = NULL,
    claimed_by = NULL, claim_token = NULL
WHERE id = %(id)s AND claim_token = %(token)s AND state = 'running' RETURNING id
"""


class JobQueue:
    """One connection to the queue; not shared between threads."""

    def __init__(self, conn: psycopg.Connection[TupleRow]) -> None:
        self.conn = conn

    @classmethod
    def open(cls, url: str) -> JobQueue:
        return cls(connect(url))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, query: str, params: dict[str, object]) -> list[TupleRow]:
        try:
            with self.conn.transaction():
                cur = self.conn.execute(query, params)
                return cur.fetchall() if cur.description else []
        except psycopg.OperationalError as exc:
            raise JobQueueError(
                f"lost the job queue connection: {str(exc).strip() or type(exc).__name__}",
                hint="check that PostgreSQL is up; jobs held by this worker are reclaimed "
                "by others after their lease expires",
            ) from None

    # -- producers --------------------------------------------------------

    def enqueue(self, images: Iterable[str], max_attempts: int = 3) -> EnqueueResult:
        """Queue each reference unless it is already queued or running (in one transaction)."""
        if max_attempts < 1:
            raise JobQueueError(f"max attempts must be at least 1, not {max_attempts}")
        enqueued: list[str] = []
        skipped: list[str] = []
        try:
            with self.conn.transaction():
                for image in dict.fromkeys(images):
                    row = self.conn.execute(
                        "INSERT INTO hullguard_jobs (image, max_attempts) VALUES (%s, %s) "
                        "ON CONFLICT (image) WHERE state IN ('queued', 'running') DO NOTHING "
                        "RETURNING id",
                        (image, max_attempts),
                    ).fetchone()
                    (enqueued if row else skipped).append(image)
        except psycopg.OperationalError as exc:
            raise JobQueueError(f"cannot enqueue: {exc}") from None
        return EnqueueResult(tuple(enqueued), tuple(skipped))

    # -- workers ----------------------------------------------------------

    def claim(self, worker: str, lease_seconds: float) -> ClaimedJob | None:
        """The next claimable job, now owned by ``worker`` for ``lease_seconds``; else None."""
        token = ClaimToken(str(uuid.uuid4()))
        try:
            with self.conn.transaction():
                self.conn.execute(_EXPIRE_EXHAUSTED)
                row = self.conn.execute(
                    _CLAIM, {"worker": worker, "token": token, "lease": lease_seconds}
                ).fetchone()
        except psycopg.OperationalError as exc:
            raise JobQueueError(f"cannot claim a job: {exc}") from None
        if row is None:
            return None
        job_id, image, attempts, max_attempts = row
        return ClaimedJob(JobId(int(job_id)), str(image), int(attempts), int(max_attempts), token)

    def heartbeat(self, job: ClaimedJob, lease_seconds: float) -> bool:
        """Extend the lease; False when the job is no longer ours (reclaimed or finished)."""
        rows = self._run(
            _HEARTBEAT,
            {"id": job.id, "token": job.token, "lease": lease_seconds},
        )
        return bool(rows)

    def complete(self, job: ClaimedJob, result: str) -> bool:
        """Mark done; False (and nothing changed) when another worker owns the job now."""
        rows = self._run(
            _COMPLETE,
            {"id": job.id, "token": job.token, "result": result},
        )
        return bool(rows)

    def fail(self, job: ClaimedJob, error: str, retry_delay: float = 0.0) -> JobState | None:
        """Record an error: back to queued (after ``retry_delay`` s) or, out of attempts,
        failed. Returns the new state, or None when the job is no longer ours."""
        rows = self._run(
            _FAIL,
            {"id": job.id, "token": job.token, "error": error[:_MAX_ERROR], "delay": retry_delay},
        )
        return JobState(str(rows[0][0])) if rows else None

    def release(self, job: ClaimedJob) -> bool:
        """Give a job back untouched (shutdown): queued again, the attempt not counted."""
        rows = self._run(
            _RELEASE,
            {"id": job.id, "token": job.token},
        )
        return bool(rows)

    # -- status -----------------------------------------------------------

    def stats(self) -> QueueStats:
        rows = self._run("SELECT state, count(*) FROM hullguard_jobs GROUP BY state", {})
        counts = {str(state): int(n) for state, n in rows}
        return QueueStats(**{s.value: counts.get(s.value, 0) for s in JobState})

    def has_pending(self) -> bool:
        """Any job queued (due or not) or running (its lease may still expire)?"""
        rows = self._run(
            "SELECT 1 FROM hullguard_jobs WHERE state IN ('queued', 'running') LIMIT 1", {}
        )
        return bool(rows)

    def jobs(self, states: Iterable[JobState] = ()) -> list[JobRow]:
        """Jobs (optionally only those in ``states``), oldest first."""
        wanted = [s.value for s in states] or [s.value for s in JobState]
        rows = self._run(
            "SELECT id, image, state, attempts, max_attempts, coalesce(claimed_by, ''), "
            "coalesce(last_error, ''), coalesce(result, '') FROM hullguard_jobs "
            "WHERE state = ANY(%(states)s) ORDER BY id",
            {"states": wanted},
        )
        return [
            JobRow(JobId(int(r[0])), str(r[1]), JobState(str(r[2])), int(r[3]),
                   int(r[4]), str(r[5]), str(r[6]), str(r[7]))
            for r in rows
        ]  # fmt: skip
