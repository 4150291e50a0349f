"""``hullguard inventory scan-registry | enqueue | jobs``: fill and watch the scan queue.

The queue lives in PostgreSQL (see :mod:`hullguard.jobs`); ``hullguard worker``
processes drain it. Counts go to stdout; listing progress to stderr.
"""

from __future__ import annotations

from typing import Any

import click

from hullguard.cli.inventory_render import to_json
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.fsutil import write_text
from hullguard.inventory.store import ENV_URL

_FORMATS = click.Choice(["table", "json"])


_database_option = click.option(
    "--database",
    envvar=ENV_URL,
    metavar="URL",
    help="Job queue: postgresql://… (env HULLGUARD_DATABASE_URL).",
)
_max_attempts_option = click.option(
    "--max-attempts",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Tries per job before it is marked failed.",
)


def _output(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text(output, text)


def _enqueue_report(result: Any, fmt: str) -> str:
    if fmt == "json":
        return to_json({"enqueued": list(result.enqueued), "skipped": list(result.skipped)})
    return (f"enqueued {len(result.enqueued)}, skipped {len(result.skipped)} "
            "(already queued or running)\n")  # fmt: skip


def _enqueue(database: str | None, refs: list[str], max_attempts: int) -> Any:
    from hullguard.jobs.queue import JobQueue
    from hullguard.jobs.schema import require_pg_url

    with JobQueue.open(require_pg_url(database)) as queue:
        return queue.enqueue(refs, max_attempts)


@click.command(name="scan-registry")
@click.argument("target", metavar="REGISTRY[/REPO]")
@_database_option
@_max_attempts_option
@click.option("--page-size", type=click.IntRange(1, 10000), help="Entries per listing page.")
@click.option("-f", "--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@registry_options
@click.pass_context
def scan_registry(ctx: click.Context, /, target: str, database: str | None,
                  max_attempts: int, page_size: int | None, fmt: str, output: str | None,
                  **kw: Any) -> None:  # fmt: skip
    """Queue a scan of every tag of every repository (/v2/_catalog) of REGISTRY, or of
    one repository; `hullguard worker` processes do the scans."""
    from hullguard.cli.ui import StderrNotes
    from hullguard.image.registry.client import RegistryClient
    from hullguard.jobs.listing import parse_target, registry_references
    from hullguard.jobs.schema import require_pg_url

    require_pg_url(database)
    parsed = parse_target(target)
    quiet = bool((ctx.find_root().obj or {}).get("quiet"))

    def note(repository: str, tags: int) -> None:
        if not quiet:
            click.echo(f"hullguard: {parsed.registry}/{repository}: {tags} tag(s)", err=True)

    options = registry_options_from_kwargs(kw)
    with RegistryClient(parsed.registry, options, progress=StderrNotes(quiet)) as client:
        refs = registry_references(client, parsed, page_size, note)
    result = _enqueue(database, refs, max_attempts)
    _output(_enqueue_report(result, fmt), output)


@click.command(name="enqueue")
@click.argument("images", metavar="IMAGE...", nargs=-1, required=True)
@_database_option
@_max_attempts_option
@click.option("-f", "--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
def enqueue(images: tuple[str, ...], database: str | None, max_attempts: int, fmt: str,
            output: str | None) -> None:  # fmt: skip
    """Queue scans of these images for `hullguard worker` (skips ones already pending)."""
    result = _enqueue(database, [i.strip() for i in images if i.strip()], max_attempts)
    _output(_enqueue_report(result, fmt), output)


@click.command(name="jobs")
@_database_option
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["queued", "running", "done", "failed"]),
    help="Only jobs in this state (repeatable; default: counts only).",
)
@click.option("-f", "--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
def jobs(database: str | None, states: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Scan queue status: counts per state, and the jobs of --state."""
    from hullguard.jobs.interface import JobState
    from hullguard.jobs.queue import JobQueue
    from hullguard.jobs.schema import require_pg_url

    with JobQueue.open(require_pg_url(database)) as queue:
        stats = queue.stats()
        rows = queue.jobs(JobState(s) for s in states) if states else []
    counts = {s.value: getattr(stats, s.value) for s in JobState}
    if fmt == "json":
        items = [{"id": r.id, "image": r.image, "state": r.state.value, "attempts": r.attempts,
                  "max_attempts": r.max_attempts, "claimed_by": r.claimed_by,
                  "error": r.last_error, "result": r.result} for r in rows]  # fmt: skip
        _output(to_json({"counts": counts, "jobs": items}), output)
        return
    lines = ["  ".join(f"{k} {v}" for k, v in counts.items())]
    for r in rows:
        detail = r.last_error or r.result or r.claimed_by
        lines.append(f"{r.id:>6}  {r.state.value:<8} {r.attempts}/{r.max_attempts}  "
                     f"{r.image}  {detail}".rstrip())  # fmt: skip
    _output("\n".join(lines) + "\n", output)


JOB_COMMANDS = [scan_registry, enqueue, jobs]
