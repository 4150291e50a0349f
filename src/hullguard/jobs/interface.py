"""Job queue types: states, a claimed job, a job row, queue counts, the error base."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

from hullguard.errors import DatabaseError

JobId = NewType("JobId", int)
ClaimToken = NewType("ClaimToken", str)

#: URL prefixes of a PostgreSQL database (libpq connection URIs)
PG_PREFIXES = ("postgresql://", "postgres://")


class JobQueueError(DatabaseError):
    """The job queue database cannot be reached or is not a hullguard job queue."""


class JobState(StrEnum):
    """Life of a job: queued → running → done, or back to queued (retry) → failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: states in which a reference counts as pending (enqueueing it again is a no-op)
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds; every later change must present ``token``."""

    id: JobId
    image: str
    attempts: int
    max_attempts: int
    token: ClaimToken


@dataclass(frozen=True)
class JobRow:
    """One job as stored (for ``hullguard inventory jobs`` and tests)."""

    id: JobId
    image: str
    state: JobState
    attempts: int
    max_attempts: int
    claimed_by: str
    last_error: str
    result: str


@dataclass(frozen=True)
class QueueStats:
    """How many jobs are in each state."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        return self.queued + self.running


@dataclass(frozen=True)
class EnqueueResult:
    """References newly queued and those already queued or running."""

    enqueued: tuple[str, ...]
    skipped: tuple[str, ...]


def redact_url(url: str) -> str:
    """A connection URL safe to print: the password (if any) replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    creds, at, host = rest.rpartition("@")
    if not at or ":" not in creds:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
