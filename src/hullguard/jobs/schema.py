"""Connecting to the queue database and creating/migrating the ``hullguard_jobs*`` tables.

The job tables are versioned on their own (``hullguard_jobs_schema``), apart from
the inventory's schema, so the queue can share a database with a PostgreSQL
inventory or live in one of its own. Migrations run under a transaction-scoped
advisory lock: many workers starting at once migrate exactly once.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import TupleRow

from hullguard.jobs.interface import PG_PREFIXES, JobQueueError, redact_url

#: each entry moves the schema one version up; never edit a released entry
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE hullguard_jobs (
            id bigserial PRIMARY KEY,
            image text NOT NULL,
            state text NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'done', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
            run_after timestamptz NOT NULL DEFAULT now(),
            claimed_by text,
            claim_token uuid,
            lease_expires_at timestamptz,
            enqueued_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            finished_at timestamptz,
            last_error text,
            result text
        )""",
        # one pending job per reference: the dedupe rule, enforced by the database
        """CREATE UNIQUE INDEX hullguard_jobs_pending_image
            ON hullguard_jobs (image) WHERE state IN ('queued', 'running')""",
        """CREATE INDEX hullguard_jobs_claimable
            ON hullguard_jobs (run_after, id) WHERE state = 'queued'""",
        """CREATE INDEX hullguard_jobs_leases
            ON hullguard_jobs (lease_expires_at) WHERE state = 'running'""",
        """CREATE TABLE hullguard_jobs_layer_cache (
            analyzer text NOT NULL,
            version text NOT NULL,
            diff_id text NOT NULL,
            payload text NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (analyzer, version, diff_id)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
_LOCK_KEY = "hullguard_jobs_schema"


def require_pg_url(url: str | None, what: str = "--database") -> str:
    """The URL when it names PostgreSQL; else a usage-style error saying what to pass."""
    if not url or not url.startswith(PG_PREFIXES):
        raise JobQueueError(
            f"{what} must be a PostgreSQL URL for the job queue, not {url!r}",
            hint="e.g. --database postgresql://user@host/dbname (or $HULLGUARD_DATABASE_URL)",
        )
    return url


def connect(url: str) -> psycopg.Connection[TupleRow]:
    """An autocommit connection with the job tables migrated to this version."""
    require_pg_url(url)
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise JobQueueError(
            f"cannot connect to the job queue at {redact_url(url)}: {_first_line(exc)}",
            hint="check the URL, that PostgreSQL runs, and the user's rights",
        ) from None
    try:
        migrate(conn)
    except psycopg.Error as exc:
        conn.close()
        raise JobQueueError(
            f"cannot create the job tables in {redact_url(url)}: {_first_line(exc)}",
            hint="the user needs CREATE rights on the database once",
        ) from None
    return conn


def schema_version(conn: psycopg.Connection[TupleRow]) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS hullguard_jobs_schema (version integer NOT NULL)")
    row = conn.execute("SELECT max(version) FROM hullguard_jobs_schema").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(conn: psycopg.Connection[TupleRow]) -> None:
    """Bring the job tables up to :data:`SCHEMA_VERSION` (idempotent, concurrency-safe)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_LOCK_KEY,))
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise JobQueueError(
                f"the job queue has schema {current}, newer than this hullguard ({SCHEMA_VERSION})",
                hint="upgrade hullguard on this machine",
            )
        for step in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute("INSERT INTO hullguard_jobs_schema (version) VALUES (%s)", (step + 1,))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
