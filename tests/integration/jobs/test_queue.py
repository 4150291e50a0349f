"""The queue's SQL against a real PostgreSQL: dedupe, SKIP LOCKED claims under
concurrency, leases and their expiry, token-guarded completion, retries, release,
concurrent migration, and the PostgreSQL layer cache."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from hullguard.jobs.interface import JobQueueError, JobState
from hullguard.jobs.pgcache import PgAnalysisCache
from hullguard.jobs.queue import JobQueue
from hullguard.jobs.schema import SCHEMA_VERSION, connect
from hullguard.model.image import Digest


@pytest.fixture
def queue(queue_url: str) -> JobQueue:
    q = JobQueue.open(queue_url)
    yield q  # type: ignore[misc]
    q.close()


def test_enqueue_skips_pending_references_but_queues_finished_ones_again(
    queue: JobQueue,
) -> None:
    first = queue.enqueue(["r/a:1", "r/b:1", "r/a:1"])
    assert first.enqueued == ("r/a:1", "r/b:1") and first.skipped == ()
    assert queue.enqueue(["r/a:1", "r/c:1"]).skipped == ("r/a:1",)
    job = queue.claim("w", 30)
    assert job is not None and job.image == "r/a:1"
    assert queue.enqueue(["r/a:1"]).skipped == ("r/a:1",)  # running counts as pending
    assert queue.complete(job, "ok")
    assert queue.enqueue(["r/a:1"]).enqueued == ("r/a:1",)  # done: a rescan is a new job
    assert queue.stats().queued == 3 and queue.stats().done == 1


def test_concurrent_claimers_never_share_a_job(queue: JobQueue, queue_url: str) -> None:
    queue.enqueue([f"r/app:{n}" for n in range(120)])
    claimed: list[list[int]] = [[] for _ in range(8)]

    def claimer(slot: int) -> None:
        with JobQueue.open(queue_url) as own:
            while (job := own.claim(f"w{slot}", 30)) is not None:
                claimed[slot].append(job.id)
                assert own.complete(job, "ok")

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    every = [i for ids in claimed for i in ids]
    assert len(every) == 120 and len(set(every)) == 120
    assert sum(1 for ids in claimed if ids) > 1  # the work really was shared
    assert queue.stats().done == 120
    assert all(row.attempts == 1 for row in queue.jobs())


def test_expired_lease_is_reclaimed_and_the_old_owner_cannot_finish(
    queue: JobQueue, queue_url: str
) -> None:
    queue.enqueue(["r/app:1"])
    stale = queue.claim("dead-worker", 0.3)
    assert stale is not None
    with JobQueue.open(queue_url) as other:
        assert other.claim("live-worker", 30) is None  # lease still valid
        time.sleep(0.5)
        fresh = other.claim("live-worker", 30)
        assert fresh is not None and fresh.id == stale.id and fresh.attempts == 2
        assert not queue.heartbeat(stale, 30)
        assert not queue.complete(stale, "late result")
        assert queue.fail(stale, "late error") is None
        assert not queue.release(stale)
        assert other.complete(fresh, "ok")
    (row,) = queue.jobs()
    assert (row.state, row.claimed_by, row.result, row.attempts) == (
        JobState.DONE, "live-worker", "ok", 2
    )  # fmt: skip


def test_heartbeat_keeps_the_lease(queue: JobQueue, queue_url: str) -> None:
    queue.enqueue(["r/app:1"])
    job = queue.claim("w1", 0.6)
    assert job is not None
    with JobQueue.open(queue_url) as other:
        for _ in range(5):
            time.sleep(0.25)
            assert queue.heartbeat(job, 0.6)
            assert other.claim("w2", 30) is None
    assert queue.complete(job, "ok")


def test_errors_are_retried_then_the_job_fails_with_the_error(queue: JobQueue) -> None:
    queue.enqueue(["r/app:gone"], max_attempts=2)
    job = queue.claim("w", 30)
    assert job is not None
    assert queue.fail(job, "manifest unknown") is JobState.QUEUED
    job = queue.claim("w", 30)
    assert job is not None and job.attempts == 2
    assert queue.fail(job, "manifest unknown (again)") is JobState.FAILED
    assert queue.claim("w", 30) is None
    (row,) = queue.jobs([JobState.FAILED])
    assert row.last_error == "manifest unknown (again)" and row.attempts == 2


def test_retry_delay_defers_the_next_attempt(queue: JobQueue) -> None:
    queue.enqueue(["r/app:1"])
    job = queue.claim("w", 30)
    assert job is not None and queue.fail(job, "boom", retry_delay=0.5) is JobState.QUEUED
    assert queue.claim("w", 30) is None and queue.has_pending()
    time.sleep(0.6)
    assert queue.claim("w", 30) is not None


def test_a_lost_lease_on_the_last_attempt_fails_the_job(queue: JobQueue) -> None:
    queue.enqueue(["r/app:1"], max_attempts=1)
    assert queue.claim("dead-worker", 0.2) is not None
    time.sleep(0.4)
    assert queue.claim("w", 30) is None
    (row,) = queue.jobs()
    assert row.state is JobState.FAILED
    assert "dead-worker lost its lease after attempt 1 of 1" in row.last_error


def test_release_requeues_without_counting_the_attempt(queue: JobQueue) -> None:
    queue.enqueue(["r/app:1"])
    job = queue.claim("w", 30)
    assert job is not None and queue.release(job)
    again = queue.claim("w2", 30)
    assert again is not None and again.attempts == 1 and again.token != job.token


def test_many_workers_migrating_at_once_create_the_schema_once(queue_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            connect(queue_url).close()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with psycopg.connect(queue_url) as conn:
        rows = conn.execute("SELECT version FROM hullguard_jobs_schema").fetchall()
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]


def test_bad_urls_are_clear_errors(pg_server: object) -> None:
    with pytest.raises(JobQueueError, match="must be a PostgreSQL URL"):
        connect("sqlite:///tmp/x.db")
    port = pg_server.port  # type: ignore[attr-defined]
    with pytest.raises(JobQueueError, match="cannot connect to the job queue") as info:
        connect(f"postgresql://postgres:secret-pw@127.0.0.1:{port}/no_such_db")
    assert "secret-pw" not in info.value.diagnostics()


def test_postgresql_layer_cache_round_trips_and_misses(queue_url: str) -> None:
    diff_id = Digest("sha256:" + "ab" * 32)
    writer, reader = PgAnalysisCache(connect(queue_url)), PgAnalysisCache(connect(queue_url))
    try:
        assert reader.get("records", "1", diff_id) is None
        writer.put("records", "1", diff_id, {"files": [["/etc/os-release", 1]]})
        writer.put("records", "1", diff_id, {"files": []})  # same key: first write wins
        assert reader.get("records", "1", diff_id) == {"files": [["/etc/os-release", 1]]}
        assert reader.get("records", "2", diff_id) is None
    finally:
        writer.close()
        reader.close()
