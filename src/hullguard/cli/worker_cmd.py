"""``hullguard worker``: take scan jobs from the PostgreSQL queue and store the results.

Any number of workers on any number of machines share one queue (and, with a
PostgreSQL inventory, one inventory). Log lines go to stderr; stdout is unused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hullguard.cache import AnalysisCache
from hullguard.cli.options import build_limits, build_open_options, image_options, resolve_db_path
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.errors import UsageError
from hullguard.inventory.store import ENV_URL

if TYPE_CHECKING:
    from hullguard.jobs.scanjob import ScanSettings

#: test hook (see tests/integration/jobs): seconds each job sleeps before scanning
HOLD_ENV = "HULLGUARD_WORKER_TEST_HOLD_SECONDS"


class ScanRunner:
    """Scans one job's image into the inventory (one per worker slot)."""

    def __init__(self, settings: ScanSettings, cache: AnalysisCache) -> None:
        self.settings, self.cache = settings, cache

    def run(self, image: str) -> str:
        from hullguard.jobs.scanjob import scan_and_store

        return scan_and_store(image, self.settings, self.cache)

    def close(self) -> None:
        from hullguard.jobs.pgcache import close_cache

        close_cache(self.cache)


def _vulndb(ctx: click.Context, vulndb: str | None, log: Any) -> Path | None:
    path = resolve_db_path(ctx.find_root(), vulndb)
    if path.is_file():
        return path
    if vulndb:
        raise UsageError(f"no vulnerability database at {path}", hint="run `hullguard db update`")
    log(f"warning: no vulnerability database at {path}; images are stored without findings "
        "(run `hullguard inventory rescan` after `hullguard db update`)")  # fmt: skip
    return None


def _check_inventory(settings: ScanSettings) -> None:
    """Open (and migrate) the inventory once up front: a bad URL fails now, not per job."""
    from hullguard.inventory import open_inventory, resolve_database

    open_inventory(resolve_database(settings.inventory, settings.cache_dir)).close()


def _hold() -> float:
    text = os.environ.get(HOLD_ENV, "")
    try:
        return float(text) if text else 0.0
    except ValueError:
        raise UsageError(f"${HOLD_ENV} must be a number of seconds, not {text!r}") from None


@click.command(name="worker", short_help="Take scan jobs from the PostgreSQL queue.")
@click.option(
    "--database",
    envvar=ENV_URL,
    metavar="URL",
    help="Job queue: postgresql://… (env HULLGUARD_DATABASE_URL).",
)
@click.option(
    "--inventory",
    "inventory_url",
    metavar="URL|PATH",
    help="Inventory to store results in (default: the --database URL).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Jobs run at once by this process.",
)
@click.option("--once", is_flag=True, help="Do at most one job per slot, then exit.")
@click.option(
    "--burst", is_flag=True, help="Exit once no job is queued or running (drain the queue)."
)
@click.option(
    "--vulndb",
    type=click.Path(dir_okay=False),
    help="Vulnerability database for findings (default: the cache dir's).",
)
@click.option(
    "--cache-backend",
    type=click.Choice(["file", "postgresql", "none"]),
    default="file",
    show_default=True,
    help="Layer analysis cache: --cache-dir files (one machine) or the database.",
)
@click.option(
    "--lease",
    type=click.FloatRange(0.5),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Lease on a claimed job; renewed every third of it.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(0.05),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait between claims when the queue is empty.",
)
@click.option(
    "--retry-delay",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait before a failed job is tried again.",
)
@click.option("--grace", type=click.FloatRange(0), default=30.0, show_default=True,
              metavar="SECONDS", help="On SIGTERM, time to finish running jobs before "
              "releasing them to the queue.")  # fmt: skip
@image_options
@registry_options
@click.pass_context
def worker(ctx: click.Context, /, database: str | None, inventory_url: str | None,
           concurrency: int, once: bool, burst: bool, vulndb: str | None, cache_backend: str,
           lease: float, poll_interval: float, retry_delay: float, grace: float,
           **kw: Any) -> None:  # fmt: skip
    """Claim scan jobs (queued by `hullguard inventory scan-registry` or `inventory
    enqueue`), scan each image, store its packages and findings in the inventory.

    A job whose worker dies is taken over by another once its lease expires."""
    from hullguard.jobs.pgcache import CacheBackend, CacheConfig, open_cache
    from hullguard.jobs.scanjob import ScanSettings
    from hullguard.jobs.schema import require_pg_url
    from hullguard.jobs.worker import RunMode, Worker, WorkerConfig, default_worker_id

    if once and burst:
        raise UsageError("--once and --burst exclude each other")
    url = require_pg_url(database)
    worker_id = default_worker_id()

    def log(message: str) -> None:
        click.echo(f"hullguard worker {worker_id}: {message}", err=True)
        sys.stderr.flush()

    cache_dir = (ctx.find_root().obj or {}).get("cache_dir")
    registry = registry_options_from_kwargs(kw, build_limits(kw))
    settings = ScanSettings(
        inventory=inventory_url or url,
        cache_dir=Path(cache_dir) if cache_dir else None,
        open_options=build_open_options(kw, registry),
        vulndb=_vulndb(ctx, vulndb, log),
    )
    _check_inventory(settings)
    backend = CacheBackend.NONE if kw.get("no_cache") else CacheBackend(cache_backend)
    cache_config = CacheConfig(url, settings.cache_dir)
    mode = RunMode.ONCE if once else RunMode.BURST if burst else RunMode.FOREVER
    config = WorkerConfig(
        url=url, concurrency=concurrency, mode=mode, lease_seconds=lease,
        poll_interval=poll_interval, retry_delay=retry_delay, grace_seconds=grace,
        hold_seconds=_hold(), worker_id=worker_id,
    )  # fmt: skip
    log(f"started ({mode.value}, concurrency {concurrency}, lease {lease:g}s)")
    counts = Worker(
        config, lambda: ScanRunner(settings, open_cache(backend, cache_config)), log
    ).run()
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("done", "retried", "failed", "lost",
                                                              "released"))  # fmt: skip
    log(f"stopped: {summary}")
