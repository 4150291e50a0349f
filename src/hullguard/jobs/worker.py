"""The worker loop: claim a job, scan it with a heartbeat renewing the lease, record it.

``--concurrency N`` runs N slots (threads), each with its own queue connection
and its own runner; one heartbeat thread renews the leases of every job the
process holds. A job whose process dies keeps no lease: another worker reclaims
it once ``lease_expires_at`` passes. SIGTERM/SIGINT stop claiming; running jobs
get ``grace`` seconds to finish, then are released (queued again, attempt not
counted) and the process exits.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from types import FrameType
from typing import Protocol

from hullguard.errors import HullguardError
from hullguard.jobs.interface import ClaimedJob, JobId, JobState
from hullguard.jobs.queue import JobQueue

Log = Callable[[str], None]


class RunMode(StrEnum):
    """When a worker stops: never (service), when the queue is drained, after one job."""

    FOREVER = "forever"
    BURST = "burst"
    ONCE = "once"


class JobRunner(Protocol):
    """Does one job's work (scan + store) and says what it did in one line."""

    def run(self, image: str) -> str: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WorkerConfig:
    url: str
    concurrency: int = 1
    mode: RunMode = RunMode.FOREVER
    lease_seconds: float = 60.0
    poll_interval: float = 2.0
    retry_delay: float = 30.0
    grace_seconds: float = 30.0
    #: test hook: sleep this long inside each job before running it (a slow job on demand)
    hold_seconds: float = 0.0
    worker_id: str = ""


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Heartbeat:
    """Renews the lease of every job this process holds, from its own connection."""

    def __init__(self, queue: JobQueue, lease: float, log: Log) -> None:
        self.queue, self.lease, self.log = queue, lease, log
        self.active: dict[JobId, ClaimedJob] = {}
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)

    def add(self, job: ClaimedJob) -> None:
        with self.lock:
            self.active[job.id] = job

    def remove(self, job: ClaimedJob) -> None:
        with self.lock:
            self.active.pop(job.id, None)

    def _loop(self) -> None:
        while not self.done.wait(max(self.lease / 3, 0.05)):
            with self.lock:
                jobs = list(self.active.values())
                for job in jobs:
                    if not self._renew(job):
                        self.log(f"lost the lease on job {job.id} ({job.image})")
                        self.active.pop(job.id, None)

    def _renew(self, job: ClaimedJob) -> bool:
        try:
            return self.queue.heartbeat(job, self.lease)
        except HullguardError as exc:  # keep trying: the lease may still be saved
            self.log(f"heartbeat failed: {exc.diagnostics()}")
            return True

    def stop_and_release(self) -> int:
        """Stop renewing; give back every job still held. Returns how many."""
        self.done.set()
        self.thread.join(timeout=5)
        with self.lock:
            released = sum(1 for job in self.active.values() if self.queue.release(job))
            self.active.clear()
        return released


class Worker:
    """One worker process: slots + heartbeat + signal handling."""

    def __init__(self, config: WorkerConfig, make_runner: Callable[[], JobRunner], log: Log):
        self.config = config
        self.worker_id = config.worker_id or default_worker_id()
        self.make_runner = make_runner
        self.log = log
        self.stop = threading.Event()
        self.counts: Counter[str] = Counter()
        self.errors: list[HullguardError] = []
        self.lock = threading.Lock()

    def _count(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        if not self.stop.is_set():
            self.log("stopping: no new jobs; finishing the current ones")
        self.stop.set()

    def run(self) -> Counter[str]:
        """Work until the mode says stop; returns counts (done, retried, failed, ...)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)
        heartbeat = Heartbeat(JobQueue.open(self.config.url), self.config.lease_seconds, self.log)
        heartbeat.thread.start()
        slots = [
            threading.Thread(target=self._slot, args=(n, heartbeat), name=f"slot-{n}", daemon=True)
            for n in range(max(1, self.config.concurrency))
        ]
        for slot in slots:
            slot.start()
        self._wait(slots)
        released = heartbeat.stop_and_release()
        heartbeat.queue.close()
        if released:
            self.log(f"released {released} unfinished job(s) back to the queue")
            self.counts["released"] += released
        if self.errors:
            raise self.errors[0]
        return self.counts

    def _wait(self, slots: list[threading.Thread]) -> None:
        stopped_at: float | None = None
        while any(s.is_alive() for s in slots):
            for slot in slots:
                slot.join(timeout=0.1)
            if self.stop.is_set():
                stopped_at = stopped_at or time.monotonic()
                if time.monotonic() - stopped_at > self.config.grace_seconds:
                    return

    def _slot(self, n: int, heartbeat: Heartbeat) -> None:
        name = f"{self.worker_id}/{n}"
        try:
            with JobQueue.open(self.config.url) as queue:
                runner = self.make_runner()
                try:
                    self._loop(queue, runner, heartbeat, name)
                finally:
                    runner.close()
        except HullguardError as exc:
            self.log(f"error: {exc.diagnostics()}")
            with self.lock:
                self.errors.append(exc)
            self.stop.set()

    def _loop(self, queue: JobQueue, runner: JobRunner, heartbeat: Heartbeat, name: str) -> None:
        mode = self.config.mode
        while not self.stop.is_set():
            job = queue.claim(name, self.config.lease_seconds)
            if job is None:
                if mode is RunMode.ONCE or (mode is RunMode.BURST and not queue.has_pending()):
                    return
                self.stop.wait(self.config.poll_interval)
                continue
            heartbeat.add(job)
            self._work(queue, runner, heartbeat, job)
            if mode is RunMode.ONCE:
                return

    def _work(
        self, queue: JobQueue, runner: JobRunner, heartbeat: Heartbeat, job: ClaimedJob
    ) -> None:
        self.log(f"job {job.id} {job.image}: attempt {job.attempts}/{job.max_attempts}")
        error: str | None = None
        summary = ""
        try:
            if self.config.hold_seconds:
                time.sleep(self.config.hold_seconds)
            summary = runner.run(job.image)
        except HullguardError as exc:
            error = exc.diagnostics()
        except Exception as exc:  # one bad image must not kill the worker
            error = f"{type(exc).__name__}: {exc}"
        finally:
            heartbeat.remove(job)
        if error is None:
            self._finish(queue, job, summary)
        else:
            self._fail(queue, job, error)

    def _finish(self, queue: JobQueue, job: ClaimedJob, summary: str) -> None:
        if queue.complete(job, summary):
            self._count("done")
            self.log(f"job {job.id} {job.image}: done: {summary}")
        else:
            self._count("lost")
            self.log(f"job {job.id} {job.image}: lease lost to another worker; not marked done")

    def _fail(self, queue: JobQueue, job: ClaimedJob, error: str) -> None:
        state = queue.fail(job, error, self.config.retry_delay)
        if state is None:
            self._count("lost")
            self.log(f"job {job.id} {job.image}: lease lost to another worker; error dropped")
            return
        self._count("failed" if state is JobState.FAILED else "retried")
        what = "failed for good" if state is JobState.FAILED else "will be retried"
        self.log(f"job {job.id} {job.image}: {what}: {error}")
