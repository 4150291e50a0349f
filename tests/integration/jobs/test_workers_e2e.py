"""Real worker processes drain a real PostgreSQL queue filled from a real registry.

``hullguard inventory scan-registry`` lists the registry (``/v2/_catalog`` and
``tags/list``, paginated) and queues every tag; ``python -m hullguard worker``
processes scan them into the inventory. One worker is SIGKILLed while it holds a
job: the job must be reclaimed after its lease and done exactly once. A slow job
is made on demand with the worker's test hook ($HULLGUARD_WORKER_TEST_HOLD_SECONDS:
the job sleeps after being claimed, with its heartbeat running), so the kill
always lands mid-job.
"""

from __future__ import annotations

import json
import re
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from hullguard.inventory import open_inventory, resolve_database
from hullguard.jobs.interface import JobState
from hullguard.jobs.queue import JobQueue

Registry = Any
SHARED_CACHE = ("--cache-backend", "postgresql")  # layer results shared through the database
Hullguard = Any


def wait_running(url: str, timeout: float = 20) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    with JobQueue.open(url) as queue:
        while time.monotonic() < deadline:
            running = queue.jobs([JobState.RUNNING])
            if running:
                return running[0].id, running[0].claimed_by
            time.sleep(0.05)
    raise AssertionError("no job started running")


def done_lines(logs: list[str]) -> Counter[int]:
    return Counter(int(m) for log in logs for m in re.findall(r"job (\d+) \S+: done:", log))


def test_scan_registry_queues_every_tag_once(
    registry: Registry, queue_url: str, hullguard: Hullguard, pushed_refs: list[str]
) -> None:
    first = hullguard.run("inventory", "scan-registry", registry.host, "--database", queue_url,
                "--insecure", "--page-size", "2", "-f", "json")  # fmt: skip
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report == {"enqueued": [f"{registry.host}/{r}" for r in pushed_refs], "skipped": []}
    assert f"{registry.host}/team/app: 3 tag(s)" in first.stderr
    again = hullguard.run("inventory", "scan-registry", f"{registry.host}/team/app",
                "--database", queue_url, "--insecure")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert again.stdout == "enqueued 0, skipped 3 (already queued or running)\n"
    status = hullguard.run("inventory", "jobs", "--database", queue_url, "--state", "queued")
    assert status.stdout.startswith(f"queued {len(pushed_refs)}  running 0  done 0  failed 0\n")


def test_workers_drain_the_queue_once_each_even_when_one_is_killed_mid_job(
    registry: Registry,
    queue_url: str,
    inventory_target: str,
    hullguard: Hullguard,
    pushed_refs: list[str],
) -> None:
    queued = hullguard.run("inventory", "scan-registry", registry.host,
                 "--database", queue_url, "--insecure")  # fmt: skip
    assert queued.stdout.startswith(f"enqueued {len(pushed_refs)},"), queued.stderr
    victim = hullguard.worker(queue_url, inventory_target, hold=60)
    killed_job, killed_by = wait_running(queue_url)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    workers = [
        hullguard.worker(queue_url, inventory_target, "--burst", *SHARED_CACHE) for _ in range(3)
    ]
    logs = [w.communicate(timeout=60)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], logs
    with JobQueue.open(queue_url) as queue:
        rows = queue.jobs()
    assert sorted(r.image for r in rows) == [f"{registry.host}/{r}" for r in pushed_refs]
    assert {r.state for r in rows} == {JobState.DONE}
    by_id = {r.id: r for r in rows}
    assert by_id[killed_job].attempts == 2 and by_id[killed_job].claimed_by != killed_by
    assert all(r.attempts == 1 for r in rows if r.id != killed_job)
    assert done_lines(logs) == Counter({r.id: 1 for r in rows})  # each done exactly once
    assert sum(1 for log in logs if " done:" in log) >= 2  # the work was shared
    with open_inventory(resolve_database(inventory_target)) as store:
        images = store.images()
    assert len(images) == 2  # one row per digest (v1, v2), every tag as a reference
    assert sorted(ref for image in images for ref in image.refs) == sorted(
        f"{registry.host}/{r}" for r in pushed_refs
    )
    assert all(image.packages == 1 for image in images)
    with psycopg.connect(queue_url) as conn:
        cached = conn.execute(
            "SELECT analyzer, count(*) FROM hullguard_jobs_layer_cache GROUP BY analyzer"
        ).fetchall()
    # the shared cache holds, per analyzer, one entry per image variant (v1, v2)
    assert cached and all(count == 2 for _, count in cached), cached


def test_a_missing_tag_fails_after_max_attempts_with_the_registry_error(
    registry: Registry, queue_url: str, inventory_target: str, hullguard: Hullguard
) -> None:
    ref = f"{registry.host}/team/app:no-such-tag"
    out = hullguard.run("inventory", "enqueue", ref, "--database", queue_url,
              "--max-attempts", "2")  # fmt: skip
    assert out.stdout == "enqueued 1, skipped 0 (already queued or running)\n"
    worker = hullguard.worker(queue_url, inventory_target, "--burst")
    _, log = worker.communicate(timeout=60)
    assert worker.returncode == 0, log
    assert "will be retried" in log and "failed for good" in log
    status = hullguard.run("inventory", "jobs", "--database", queue_url, "--state", "failed",
                 "-f", "json")  # fmt: skip
    (job,) = json.loads(status.stdout)["jobs"]
    assert (job["image"], job["state"], job["attempts"]) == (ref, "failed", 2)
    assert "no-such-tag" in job["error"] and "not found" in job["error"].lower()


def test_sigterm_releases_a_job_that_does_not_finish_in_the_grace_time(
    registry: Registry, queue_url: str, inventory_target: str, hullguard: Hullguard
) -> None:
    hullguard.run("inventory", "enqueue", f"{registry.host}/ops/tool:stable",
        "--database", queue_url)  # fmt: skip
    worker = hullguard.worker(queue_url, inventory_target, "--grace", "0.3", hold=60)
    wait_running(queue_url)
    worker.send_signal(signal.SIGTERM)
    _, log = worker.communicate(timeout=20)
    assert worker.returncode == 0, log
    assert "released 1 unfinished job(s)" in log
    with psycopg.connect(queue_url) as conn:
        row = conn.execute("SELECT state, attempts, claimed_by FROM hullguard_jobs").fetchone()
    assert row == ("queued", 0, None)


def test_worker_refuses_a_queue_that_is_not_postgresql(
    hullguard: Hullguard, tmp_path: Path
) -> None:
    out = hullguard.run("worker", "--database", str(tmp_path / "q.db"), "--once")
    assert out.returncode == 3
    assert "must be a PostgreSQL URL" in out.stderr and "Traceback" not in out.stderr


def test_one_worker_with_concurrency_runs_jobs_on_several_slots(
    registry: Registry, queue_url: str, inventory_target: str, hullguard: Hullguard,
    pushed_refs: list[str],
) -> None:  # fmt: skip
    refs = [f"{registry.host}/{r}" for r in pushed_refs]
    assert hullguard.run("inventory", "enqueue", *refs, "--database", queue_url).returncode == 0
    worker = hullguard.worker(queue_url, inventory_target, "--burst", "--concurrency", "3")
    _, log = worker.communicate(timeout=60)
    assert worker.returncode == 0, log
    with JobQueue.open(queue_url) as queue:
        rows = queue.jobs()
        slots = {r.claimed_by for r in rows}
    assert {r.state for r in rows} == {JobState.DONE} and len(rows) == len(refs)
    assert len(slots) >= 2 and all(s.rsplit("/", 1)[-1] in {"0", "1", "2"} for s in slots)
    assert f"done {len(refs)}, retried 0, failed 0" in log
