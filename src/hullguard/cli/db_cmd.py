"""``hullguard db``: status, update, import, push and pull of the vulnerability database.

``--db PATH`` overrides the location (default ``<cache dir>/db/vuln.db``,
honouring the global ``--cache-dir``); ``resolve_db_path`` (in ``cli.options``) is shared with
``scan``. Progress goes to stderr, reports to stdout.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from hullguard.cli.options import resolve_db_path
from hullguard.cli.registry_options import registry_options, registry_options_from_kwargs
from hullguard.vulndb.build import SourceInput, SourceResult, build_database
from hullguard.vulndb.distribution import pull_database, push_database
from hullguard.vulndb.sources import source_names
from hullguard.vulndb.store import open_db
from hullguard.vulndb.update import update_database


def db_option(command: Any) -> Any:
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False), help="Database file (default: cache dir)."
    )(command)


def _notify(ctx: click.Context) -> Any:
    quiet = bool((ctx.obj or {}).get("quiet"))
    return None if quiet else (lambda msg: click.echo(msg, err=True))


def _summary(results: list[SourceResult]) -> None:
    for r in results:
        kinds = ",".join(k.value for k in r.kinds)
        click.echo(
            f"{r.name}: {r.records} records, {r.entries} package entries ({kinds}); "
            f"{r.skipped_files} unrecognised files skipped",
            err=True,
        )


@click.group(name="db")
def db() -> None:
    """Manage the local vulnerability database."""


@db.command(name="status")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def status_cmd(ctx: click.Context, db: str | None, fmt: str) -> None:
    """Show sources, record counts, last update and age."""
    with open_db(resolve_db_path(ctx, db)) as vdb:
        age = vdb.age()
        sources = vdb.sources()
        if fmt == "json":
            doc = {
                "path": str(vdb.path),
                "builtAt": vdb.built_at.isoformat() if vdb.built_at else None,
                "ageHours": round(age.total_seconds() / 3600, 1),
                "sources": [s.__dict__ for s in sources],
                "counts": vdb.counts(),
            }
            click.echo(json.dumps(doc, indent=2, sort_keys=True))
            return
        click.echo(f"Database: {vdb.path}")
        click.echo(f"Built:    {vdb.built_at} ({age.total_seconds() / 3600:.1f} hours ago)")
        click.echo(f"{'SOURCE':<24} {'KIND':<30} {'RECORDS':>8} {'ENTRIES':>8}  IMPORTED")
        for s in sources:
            click.echo(f"{s.name:<24} {s.kind:<30} {s.records:>8} {s.entries:>8}  {s.imported_at}")
        counts = vdb.counts()
        click.echo("Per kind: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@db.command(name="import")
@db_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--name", help="Source name (default: each path's file name).")
@click.pass_context
def import_cmd(
    ctx: click.Context, db: str | None, paths: tuple[str, ...], name: str | None
) -> None:
    """Import advisory files, directories or .zip archives (air-gapped sites)."""
    inputs = [
        SourceInput(name if name and len(paths) == 1 else Path(p).resolve().name, Path(p))
        for p in paths
    ]
    results = build_database(
        resolve_db_path(ctx, db), inputs, now=datetime.now(UTC), notify=_notify(ctx)
    )
    _summary(results)


@db.command(name="update")
@db_option
@click.option("--source", "sources", multiple=True, type=click.Choice(source_names()))
@click.option("--mirror", help="Base URL of a mirror in hullguard's mirror layout.")
@click.pass_context
def update_cmd(
    ctx: click.Context, db: str | None, sources: tuple[str, ...], mirror: str | None
) -> None:
    """Download the configured sources and rebuild the database atomically."""
    path = resolve_db_path(ctx, db)
    existing: list[str] = []
    if path.is_file():
        with open_db(path) as vdb:
            existing = [s.name for s in vdb.sources()]
    results = update_database(
        path,
        now=datetime.now(UTC),
        names=sources,
        mirror=mirror,
        existing=existing,
        notify=_notify(ctx),
    )
    if not results:
        click.echo("all sources unchanged", err=True)
    _summary(results)


@db.command(name="push")
@db_option
@click.argument("ref")
@registry_options
@click.pass_context
def push_cmd(ctx: click.Context, /, db: str | None, ref: str, **kwargs: Any) -> None:
    """Push the database to a registry as an OCI artifact."""
    digest = push_database(resolve_db_path(ctx, db), ref, registry_options_from_kwargs(kwargs))
    click.echo(digest)


@db.command(name="pull")
@db_option
@click.argument("ref")
@registry_options
@click.pass_context
def pull_cmd(ctx: click.Context, /, db: str | None, ref: str, **kwargs: Any) -> None:
    """Pull a database artifact from a registry (verified, atomic)."""
    digest = pull_database(resolve_db_path(ctx, db), ref, registry_options_from_kwargs(kwargs))
    click.echo(digest)
